"""Names, places and companies every profile's records draw from."""

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Ken", "Dennis",
         "Frances", "John", "Radia", "Tim", "Katherine", "Guido", "Hedy", "Niklaus", "Leslie", "Shafi",
         "Sophie", "Mateo", "Aiko", "Priya", "Olu", "Chen", "Lucía", "Noah", "Fatima", "Ivan"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Thompson",
        "Ritchie", "Allen", "McCarthy", "Perlman", "Berners-Lee", "Johnson", "van Rossum", "Lamarr", "Wirth",
        "Lamport", "Goldwasser", "Müller", "García", "Tanaka", "Sharma", "Adeyemi", "Wang", "O'Neil"]
ASCII = str.maketrans({"í": "i", "ü": "u", "'": "", " ": "", "-": ""})
DOMAINS = ["example.com", "example.org", "example.net", "corp.example.com"]
LANGS = ["en", "en-GB", "de", "fr", "es", "ja", "pt-BR", "it", "nl"]
TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney",
             "America/Sao_Paulo", "Africa/Lagos", "Asia/Kolkata"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises",
             "Hooli", "Vandelay Imports", "Soylent Co", "Tyrell Systems"]


def email(r, first, last, i):
    return f"{first.translate(ASCII)}.{last.translate(ASCII)}{i}@{r.choice(DOMAINS)}".lower()


def money(r, lo, hi):
    return round(r.uniform(lo, hi), 2)
