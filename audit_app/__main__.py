from audit_app.cli import main

main()
