"""Branch lists as chains keep them: the header found under banners, columns recognised
by the words real lists use (``Site Code``, ``StoreCode``, ``Facility ID``, ``Store
Name``, in English, Spanish, Catalan, Romanian and Turkish), every row accounted for."""
