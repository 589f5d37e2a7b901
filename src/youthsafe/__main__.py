from youthsafe.cli import main

raise SystemExit(main())
