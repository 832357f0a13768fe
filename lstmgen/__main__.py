from lstmgen.cli import main

raise SystemExit(main())
