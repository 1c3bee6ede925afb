"""python -m cmmm"""

from cmmm.cli import main

main()
