"""Read office rosters (xlsx, xls, CSV) into the database."""
