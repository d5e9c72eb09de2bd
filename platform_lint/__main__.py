from platform_lint.cli import main

raise SystemExit(main())
