"""Run the development server: `python -m examples.dev_server [--host H] [--port P]`."""

from examples.dev_server import main

main()
