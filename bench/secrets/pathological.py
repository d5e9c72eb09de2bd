"""Secret scans on inputs built to make regexes backtrack: each must stay linear.

    .venv/bin/python bench/secrets/pathological.py

Before the repetitions in front of keywords were bounded, the first five took
27-120 s each (quadratic in the line's length); see RESULTS.md.
"""

from __future__ import annotations

import time

from platform_lint.secrets import detect

CASES = {
    "50k name chars before .pfx": "x" * 50_000 + ".pfx",
    "p12 then 100k letters": "p12" + "a" * 100_000,
    "'pfx' x 30,000": "pfx" * 30_000,
    "'heroku' x 15,000": "heroku" * 15_000,
    "keystore.p12: 50k hex": "keystore.p12: " + "ab12" * 12_500,
    "'sv=...&' x 20,000": "sv=2020-01-01&" * 20_000,
    "10,000 'password=' on a line": "password=Xk9#mP2v!Lq7zR " * 10_000,
    "5 MB base64 line": ("QUJD" * 1_250_000) + " p12",
}


def main() -> None:
    for name, text in CASES.items():
        start = time.perf_counter()
        for scan in (detect.find_tokens, detect.find_url_credentials, detect.find_assignments):
            scan(text)
        print(f"{name:32} {len(text) / 1e6:5.2f} MB  {time.perf_counter() - start:6.3f} s")


if __name__ == "__main__":
    main()
