"""Password hashing: Argon2id with the OWASP Password Storage Cheat Sheet's parameters.

Django's Argon2 defaults (100 MiB, two passes, eight lanes) cost about five times the
cheat sheet's recommended minimum per log-in; on a small server a morning's burst of log-ins
then queues every other request behind the hashing (docs/PERFORMANCE.md, issue #15). OWASP:
"Use Argon2id with a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1
degree of parallelism" (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html).

The algorithm name stays `argon2`, so hashes made with Django's defaults keep verifying, and
Django rehashes them with these parameters at the user's next successful log-in
(`must_update` compares the parameters stored in the hash).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = 19456  # KiB (19 MiB)
    time_cost = 2
    parallelism = 1
