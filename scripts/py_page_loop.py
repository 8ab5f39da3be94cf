"""A page loop for callgrind: instructions of the Python process per asset of a page.

    valgrind --tool=callgrind .venv/bin/python scripts/py_page_loop.py pages   # 200 pages of 200
    valgrind --tool=callgrind .venv/bin/python scripts/py_page_loop.py none    # setup only

(pages - none) / 40,000 is the instructions per asset returned, engine included.
"""

import sys, photocat
cat = photocat.Catalog.in_memory()
cat.add_assets([{"local_datetime": f"2024-05-{1 + i % 28:02d}T10:{i % 60:02d}:00", "original_file_name": f"IMG_{i}.JPG",
                 "exif": {"make": "Canon", "model": "EOS", "city": "Oslo", "f_number": 2.8}} for i in range(2000)])
mode = sys.argv[1]
if mode == "pages":
    for _ in range(200):
        cat.list_assets(limit=200)
