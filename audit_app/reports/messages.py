"""The words a report prints around the data, in the franchise's languages (en, ca, ro, tr).

A report prints in its audit's language; a missing word falls back to English so that a
new label never breaks a report, it only shows up untranslated.
"""

from __future__ import annotations

from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import scoring_method

LANGUAGES = ("en", "ca", "ro", "tr")
DEFAULT = "en"

_MESSAGES: dict[str, dict[str, str]] = {
    "audit_report": {
        "en": "Audit report",
        "ca": "Informe d'auditoria",
        "ro": "Raport de audit",
        "tr": "Denetim raporu",
    },
    "branch_report": {
        "en": "Branch report",
        "ca": "Informe de la botiga",
        "ro": "Raportul sucursalei",
        "tr": "Şube raporu",
    },
    "branch": {"en": "Branch", "ca": "Botiga", "ro": "Sucursală", "tr": "Şube"},
    "region": {"en": "Region", "ca": "Regió", "ro": "Regiune", "tr": "Bölge"},
    "visit": {"en": "Visit", "ca": "Visita", "ro": "Vizită", "tr": "Ziyaret"},
    "auditor": {"en": "Auditor", "ca": "Auditor", "ro": "Auditor", "tr": "Denetçi"},
    "reference": {"en": "Reference", "ca": "Referència", "ro": "Referință", "tr": "Referans"},
    "channel": {"en": "Channel", "ca": "Canal", "ro": "Canal", "tr": "Kanal"},
    "checklist": {
        "en": "Checklist",
        "ca": "Llista de control",
        "ro": "Listă de verificare",
        "tr": "Kontrol listesi",
    },
    "version": {"en": "Version", "ca": "Versió", "ro": "Versiune", "tr": "Sürüm"},
    "score": {"en": "Score", "ca": "Puntuació", "ro": "Punctaj", "tr": "Puan"},
    "overall_score": {
        "en": "Overall score",
        "ca": "Puntuació global",
        "ro": "Punctaj general",
        "tr": "Genel puan",
    },
    "grade": {"en": "Grade", "ca": "Qualificació", "ro": "Calificativ", "tr": "Derece"},
    "result": {"en": "Result", "ca": "Resultat", "ro": "Rezultat", "tr": "Sonuç"},
    "passed": {"en": "Passed", "ca": "Aprovat", "ro": "Promovat", "tr": "Geçti"},
    "failed": {"en": "Failed", "ca": "Suspès", "ro": "Nepromovat", "tr": "Kaldı"},
    "pass_mark": {
        "en": "Pass mark",
        "ca": "Nota de tall",
        "ro": "Prag de promovare",
        "tr": "Geçme notu",
    },
    "critical_failure": {
        "en": "Critical failure",
        "ca": "Incompliment crític",
        "ro": "Neconformitate critică",
        "tr": "Kritik hata",
    },
    "critical": {"en": "critical", "ca": "crític", "ro": "critic", "tr": "kritik"},
    "sections": {"en": "Sections", "ca": "Seccions", "ro": "Secțiuni", "tr": "Bölümler"},
    "section": {"en": "Section", "ca": "Secció", "ro": "Secțiune", "tr": "Bölüm"},
    "items": {"en": "Items", "ca": "Ítems", "ro": "Întrebări", "tr": "Maddeler"},
    "question": {"en": "Question", "ca": "Pregunta", "ro": "Întrebare", "tr": "Soru"},
    "answer": {"en": "Answer", "ca": "Resposta", "ro": "Răspuns", "tr": "Cevap"},
    "item_score": {
        "en": "Item score",
        "ca": "Puntuació de l'ítem",
        "ro": "Punctaj întrebare",
        "tr": "Madde puanı",
    },
    "comment": {"en": "Comment", "ca": "Comentari", "ro": "Comentariu", "tr": "Yorum"},
    "fail_mark": {
        "en": "✗ failed",
        "ca": "✗ no superat",
        "ro": "✗ nepromovat",
        "tr": "✗ başarısız",
    },
    "fail_legend": {
        "en": "✗ marks a failed item (item score below 100).",
        "ca": "✗ indica un ítem no superat (puntuació de l'ítem inferior a 100).",
        "ro": "✗ marchează o întrebare nepromovată (punctaj sub 100).",
        "tr": "✗ başarısız bir maddeyi gösterir (madde puanı 100'ün altında).",
    },
    "previous_scores": {
        "en": "Previous scores",
        "ca": "Puntuacions anteriors",
        "ro": "Punctaje anterioare",
        "tr": "Önceki puanlar",
    },
    "no_previous": {
        "en": "This is the branch's first audit with this checklist.",
        "ca": "És la primera auditoria de la botiga amb aquesta llista de control.",
        "ro": "Acesta este primul audit al sucursalei cu această listă de verificare.",
        "tr": "Bu, şubenin bu kontrol listesiyle ilk denetimidir.",
    },
    "scoring_rules": {
        "en": "Scoring rules",
        "ca": "Regles de puntuació",
        "ro": "Reguli de punctare",
        "tr": "Puanlama kuralları",
    },
    "corrective_actions": {
        "en": "Corrective actions",
        "ca": "Accions correctores",
        "ro": "Acțiuni corective",
        "tr": "Düzeltici faaliyetler",
    },
    "owner": {"en": "Owner", "ca": "Responsable", "ro": "Responsabil", "tr": "Sorumlu"},
    "due": {"en": "Due", "ca": "Termini", "ro": "Termen", "tr": "Son tarih"},
    "status": {"en": "Status", "ca": "Estat", "ro": "Stare", "tr": "Durum"},
    "page": {
        "en": "Page {page} of {pages}",
        "ca": "Pàgina {page} de {pages}",
        "ro": "Pagina {page} din {pages}",
        "tr": "Sayfa {page} / {pages}",
    },
    "generated": {
        "en": "generated {time}",
        "ca": "generat el {time}",
        "ro": "generat la {time}",
        "tr": "oluşturulma: {time}",
    },
    "na": {"en": "N/A", "ca": "N/A", "ro": "N/A", "tr": "U/D"},
    "unscored": {"en": "unscored", "ca": "sense puntuació", "ro": "fără punctaj", "tr": "puansız"},
    "not_asked": {
        "en": "not asked",
        "ca": "no s'ha preguntat",
        "ro": "nu s-a întrebat",
        "tr": "sorulmadı",
    },
    "yes": {"en": "Yes", "ca": "Sí", "ro": "Da", "tr": "Evet"},
    "no": {"en": "No", "ca": "No", "ro": "Nu", "tr": "Hayır"},
    "date": {"en": "Date", "ca": "Data", "ro": "Data", "tr": "Tarih"},
    "period": {"en": "Period", "ca": "Període", "ro": "Perioadă", "tr": "Dönem"},
    "all_dates": {
        "en": "all visits",
        "ca": "totes les visites",
        "ro": "toate vizitele",
        "tr": "tüm ziyaretler",
    },
    "audits": {"en": "Audits", "ca": "Auditories", "ro": "Audituri", "tr": "Denetimler"},
    "audits_over_time": {
        "en": "Audits over time",
        "ca": "Auditories al llarg del temps",
        "ro": "Auditurile în timp",
        "tr": "Zaman içinde denetimler",
    },
    "trend": {
        "en": "Monthly mean score",
        "ca": "Puntuació mitjana mensual",
        "ro": "Punctaj mediu lunar",
        "tr": "Aylık ortalama puan",
    },
    "sections_vs_chain": {
        "en": "Sections against the chain average",
        "ca": "Seccions davant la mitjana de la cadena",
        "ro": "Secțiunile față de media rețelei",
        "tr": "Zincir ortalamasına göre bölümler",
    },
    "chain_average": {
        "en": "Chain average",
        "ca": "Mitjana de la cadena",
        "ro": "Media rețelei",
        "tr": "Zincir ortalaması",
    },
    "chain_marker": {
        "en": "The black tick on each bar marks the chain average.",
        "ca": "La marca negra de cada barra indica la mitjana de la cadena.",
        "ro": "Linia neagră de pe fiecare bară arată media rețelei.",
        "tr": "Her çubuktaki siyah çizgi zincir ortalamasını gösterir.",
    },
    "difference": {"en": "Difference", "ca": "Diferència", "ro": "Diferență", "tr": "Fark"},
    "repeated_failures": {
        "en": "Repeated failures",
        "ca": "Incompliments repetits",
        "ro": "Neconformități repetate",
        "tr": "Tekrarlanan hatalar",
    },
    "no_repeated_failures": {
        "en": "No item failed in two consecutive audits.",
        "ca": "Cap ítem no ha fallat en dues auditories consecutives.",
        "ro": "Nicio întrebare nu a picat în două audituri consecutive.",
        "tr": "Hiçbir madde art arda iki denetimde başarısız olmadı.",
    },
    "consecutive": {
        "en": "Consecutive failures",
        "ca": "Incompliments seguits",
        "ro": "Eșecuri consecutive",
        "tr": "Art arda hata",
    },
    "last_failed": {
        "en": "Last failed",
        "ca": "Última fallada",
        "ro": "Ultimul eșec",
        "tr": "Son hata",
    },
    "overdue_actions": {
        "en": "Overdue corrective actions",
        "ca": "Accions correctores vençudes",
        "ro": "Acțiuni corective restante",
        "tr": "Süresi geçmiş düzeltici faaliyetler",
    },
    "overdue_as_of": {
        "en": "Actions still open or in progress after their due date, on {day}.",
        "ca": "Accions encara obertes o en curs després de la data límit, a {day}.",
        "ro": "Acțiuni încă deschise sau în lucru după termen, la {day}.",
        "tr": "{day} itibarıyla son tarihi geçmiş, hâlâ açık veya devam eden faaliyetler.",
    },
    "no_overdue_actions": {
        "en": "No corrective action of this branch is overdue.",
        "ca": "Cap acció correctora d'aquesta botiga no està vençuda.",
        "ro": "Nicio acțiune corectivă a acestei sucursale nu este restantă.",
        "tr": "Bu şubenin süresi geçmiş düzeltici faaliyeti yok.",
    },
    "due_date": {
        "en": "Due date",
        "ca": "Data límit",
        "ro": "Termen",
        "tr": "Son tarih",
    },
    "days_overdue": {
        "en": "Days overdue",
        "ca": "Dies de retard",
        "ro": "Zile de întârziere",
        "tr": "Geciken gün",
    },
    "status_open": {"en": "open", "ca": "oberta", "ro": "deschisă", "tr": "açık"},
    "status_in_progress": {
        "en": "in progress",
        "ca": "en curs",
        "ro": "în lucru",
        "tr": "devam ediyor",
    },
    "status_done": {"en": "done", "ca": "feta", "ro": "finalizată", "tr": "tamamlandı"},
    "status_verified": {
        "en": "verified",
        "ca": "verificada",
        "ro": "verificată",
        "tr": "doğrulandı",
    },
    "no_audits": {
        "en": "No submitted audits in this period.",
        "ca": "No hi ha auditories en aquest període.",
        "ro": "Niciun audit în această perioadă.",
        "tr": "Bu dönemde denetim yok.",
    },
    "branch_method": {
        "en": (
            "A section's score at the branch is the mean of its audits' section scores; the "
            "chain average is the same mean over every branch's audits with the same "
            "checklist in the same period. An item is a repeated failure when it scored "
            "below 100 in two or more consecutive audits of the same checklist at the branch."
        ),
        "ca": (
            "La puntuació d'una secció a la botiga és la mitjana de les puntuacions d'aquesta "
            "secció a les seves auditories; la mitjana de la cadena és la mateixa mitjana sobre "
            "les auditories de totes les botigues amb la mateixa llista de control i el mateix "
            "període. Un ítem és un incompliment repetit quan ha puntuat per sota de 100 en dues "
            "o més auditories seguides de la mateixa llista de control a la botiga."
        ),
        "ro": (
            "Punctajul unei secțiuni la sucursală este media punctajelor acelei secțiuni din "
            "auditurile sale; media rețelei este aceeași medie peste auditurile tuturor "
            "sucursalelor cu aceeași listă de verificare în aceeași perioadă. O întrebare este o "
            "neconformitate repetată când a obținut sub 100 în două sau mai multe audituri "
            "consecutive cu aceeași listă de verificare la sucursală."
        ),
        "tr": (
            "Bir bölümün şubedeki puanı, şube denetimlerindeki bölüm puanlarının ortalamasıdır; "
            "zincir ortalaması, aynı dönemde aynı kontrol listesiyle yapılan tüm şube "
            "denetimlerinin aynı ortalamasıdır. Bir madde, şubede aynı kontrol listesiyle yapılan "
            "art arda iki veya daha fazla denetimde 100'ün altında puan aldığında tekrarlanan "
            "hatadır."
        ),
    },
}

_CHANNELS: dict[str, dict[str, str]] = {
    "in_person": {"en": "In person", "ca": "En persona", "ro": "În persoană", "tr": "Yüz yüze"},
    "phone": {"en": "Phone", "ca": "Telèfon", "ro": "Telefon", "tr": "Telefon"},
    "email": {"en": "Email", "ca": "Correu electrònic", "ro": "E-mail", "tr": "E-posta"},
    "web_form": {"en": "Web form", "ca": "Formulari web", "ro": "Formular web", "tr": "Web formu"},
    "social_media": {
        "en": "Social media",
        "ca": "Xarxes socials",
        "ro": "Rețele sociale",
        "tr": "Sosyal medya",
    },
    "review_site": {
        "en": "Review site",
        "ca": "Web de ressenyes",
        "ro": "Site de recenzii",
        "tr": "Yorum sitesi",
    },
    "on_site": {"en": "On site", "ca": "In situ", "ro": "La fața locului", "tr": "Yerinde"},
}

_GRADES: dict[str, dict[str, str]] = {
    "Excellent": {"ca": "Excel·lent", "ro": "Excelent", "tr": "Mükemmel"},
    "Good": {"ca": "Bé", "ro": "Bine", "tr": "İyi"},
    "Fair": {"ca": "Suficient", "ro": "Satisfăcător", "tr": "Orta"},
    "Needs improvement": {
        "ca": "Cal millorar",
        "ro": "Necesită îmbunătățiri",
        "tr": "Geliştirilmeli",
    },
}

_DECIMAL_COMMA = frozenset({"ca", "ro", "tr"})


def report_language(language: str | None) -> str:
    """The language a report prints in: the one asked for when known, else English."""
    code = (language or DEFAULT).lower().split("-")[0]
    return code if code in LANGUAGES else DEFAULT


def t(key: str, language: str | None, **values: object) -> str:
    """The label ``key`` in ``language`` (English when missing), with ``values`` filled in."""
    texts = _MESSAGES[key]
    text = texts.get(report_language(language)) or texts[DEFAULT]
    return text.format(**values) if values else text


_UNITS: dict[str, dict[str, str]] = {
    "seconds": {"ca": "segons", "ro": "secunde", "tr": "saniye"},
    "minutes": {"ca": "minuts", "ro": "minute", "tr": "dakika"},
    "hours": {"ca": "hores", "ro": "ore", "tr": "saat"},
    "days": {"ca": "dies", "ro": "zile", "tr": "gün"},
    "rings": {"ca": "tons", "ro": "tonuri", "tr": "çalma"},
}


def unit_label(unit: str | None, language: str | None) -> str:
    """A measured item's unit in the report's language; an unknown unit prints as written."""
    if not unit:
        return ""
    return _UNITS.get(unit, {}).get(report_language(language), unit)


def channel_label(channel: str | None, language: str | None) -> str:
    if not channel:
        return "—"
    texts = _CHANNELS.get(channel, {})
    return texts.get(report_language(language)) or texts.get(DEFAULT) or channel


def grade_label(grade: str | None, language: str | None) -> str:
    """A checklist's grade name in the report's language; unknown names print as written."""
    if not grade:
        return "—"
    return _GRADES.get(grade, {}).get(report_language(language), grade)


def number(value: float | None, language: str | None, decimals: int = 1) -> str:
    """A score with one decimal, with the decimal comma where the language writes one."""
    if value is None:
        return t("na", language)
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if report_language(language) in _DECIMAL_COMMA else text


def plain(value: object, language: str | None) -> str:
    """A measured value as typed (4, 2.5), with the decimal comma where the language has one."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        return str(value)
    text = f"{value:g}"
    return text.replace(".", ",") if report_language(language) in _DECIMAL_COMMA else text


def scoring_rules(checklist: Checklist, language: str | None) -> str:
    """The scoring-method paragraph (domain.scoring.scoring_method) in the report language,
    built from the checklist's own rule so that its numbers are the checklist's."""
    lang = report_language(language)
    if lang == "en":
        return scoring_method(checklist)
    rule = checklist.critical_rule
    cap = plain(rule.cap, lang) if rule.cap is not None else ""
    pass_mark = plain(checklist.pass_mark, lang)
    weighted = checklist.sections_weighted
    cid, version = checklist.id, checklist.version
    if lang == "ca":
        critical = {
            "flag": "un ítem crític no superat es marca i la puntuació es queda igual",
            "zero": "un ítem crític no superat posa la puntuació global a 0",
            "cap": f"un ítem crític no superat limita la puntuació global a {cap}",
        }[rule.kind]
        weights = (
            "Cada secció compta amb el pes que li dona la llista de control"
            if weighted
            else "Les seccions compten en proporció als pesos dels seus ítems comptats "
            "(punts agregats)"
        )
        return (
            f"Les puntuacions segueixen la llista de control {cid}, versió {version}. Cada ítem "
            "puntua de 0 a 1 (sí = 1, no = 0; escales i opcions segons els seus punts; valors "
            "mesurats 1 quan s'assoleix l'objectiu, baixant linealment fins a 0 on hi ha un "
            "punt zero). La puntuació d'una secció és la mitjana ponderada dels seus ítems "
            "contestats; els ítems contestats N/A queden fora del numerador i del denominador. "
            f"{weights}. Ítems crítics: {critical}. Nota de tall {pass_mark}; les "
            "qualificacions i la nota de tall s'apliquen a la puntuació mostrada amb un decimal."
        )
    if lang == "ro":
        critical = {
            "flag": "o întrebare critică nepromovată este semnalată, iar punctajul rămâne "
            "neschimbat",
            "zero": "o întrebare critică nepromovată aduce punctajul general la 0",
            "cap": f"o întrebare critică nepromovată limitează punctajul general la {cap}",
        }[rule.kind]
        weights = (
            "Fiecare secțiune contează cu ponderea dată de lista de verificare"
            if weighted
            else "Secțiunile contează proporțional cu ponderile întrebărilor lor numărate "
            "(puncte cumulate)"
        )
        return (
            f"Punctajele urmează lista de verificare {cid}, versiunea {version}. Fiecare "
            "întrebare primește între 0 și 1 (da = 1, nu = 0; scalele și opțiunile după "
            "punctele lor; valorile măsurate 1 când ținta este atinsă, scăzând liniar până la 0 "
            "acolo unde este stabilit un punct zero). Punctajul unei secțiuni este media "
            "ponderată a întrebărilor cu răspuns; întrebările cu răspunsul N/A ies atât din "
            f"numărător, cât și din numitor. {weights}. Întrebări critice: {critical}. Prag de "
            f"promovare {pass_mark}; calificativele și pragul se aplică punctajului afișat cu "
            "o zecimală."
        )
    critical = {
        "flag": "başarısız bir kritik madde işaretlenir ve puan değişmez",
        "zero": "başarısız bir kritik madde genel puanı 0 yapar",
        "cap": f"başarısız bir kritik madde genel puanı en fazla {cap} ile sınırlar",
    }[rule.kind]
    weights = (
        "Her bölüm, kontrol listesinin ona verdiği ağırlıkla sayılır"
        if weighted
        else "Bölümler, sayılan maddelerinin ağırlıkları oranında sayılır (toplanmış puanlar)"
    )
    return (
        f"Puanlar {cid} kontrol listesinin {version}. sürümüne göre hesaplanır. Her madde 0 ile "
        "1 arasında puan alır (evet = 1, hayır = 0; ölçekler ve seçenekler puanlarına göre; "
        "ölçülen değerler hedef tutturulduğunda 1, sıfır noktası belirlenmişse oraya kadar "
        "doğrusal olarak 0'a düşer). Bir bölümün puanı, yanıtlanan maddelerinin ağırlıklı "
        "ortalamasıdır; U/D yanıtlanan maddeler hem paydan hem paydadan çıkar. "
        f"{weights}. Kritik maddeler: {critical}. Geçme notu {pass_mark}; dereceler ve geçme "
        "notu tek ondalıkla gösterilen puana uygulanır."
    )
