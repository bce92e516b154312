import sys

from liquidity.cli import main

sys.exit(main())
