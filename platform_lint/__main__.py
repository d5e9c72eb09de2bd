from platform_lint.console import main

raise SystemExit(main())
