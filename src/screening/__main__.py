"""`python -m screening`: the same command line as the `screening` console script."""

from screening.cli import app

if __name__ == "__main__":
    app(prog_name="screening")
