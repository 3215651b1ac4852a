"""Our own gold annotation of the five seed pages in fixtures/seeds, made by reading each page.

`body` holds the 1-based numbers of the lines that are the article's own paragraphs (subheadings
included; captions, credits, bylines, related headlines and widgets left out). Empty strings mean
the page gives no such value; `published` is the day only, whatever precision the page gives.
"""

from datetime import date

SEED_GOLD = {
    "000_35d6a8e2b6890355.txt": {
        "body": {
            14,
            16,
            18,
            20,
            22,
            24,
            26,
            28,
            30,
            32,
            34,
            36,
            38,
            40,
            42,
            44,
            46,
            48,
            50,
            52,
            54,
            56,
            58,
            60,
        },
        "title": "واشنطن وموسكو تستأنفان محادثاتهما لتجنب الاصطدام في سورية",
        "source": "صوت الإمارات",
        "published": None,
        "dateline": "بيروت",
        "author": "",
        "section": "",
        "agency": "وام",
    },
    "001_adaa0b1178cf7dcd.txt": {
        "body": {16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36},
        "title": 'واشنطن وموسكو تبحثان آليات التصدي لـ"داعش" في سورية',
        "source": "المغرب اليوم",
        "published": None,
        "dateline": "دمشق",
        "author": "نور خوّام",
        "section": "",
        "agency": "",
    },
    "002_607499a35d16fa59.txt": {
        "body": {3, 4, 5, 6, 7, 8, 9, 10, 11},
        "title": "التحالف الدولي: اتصالات روسية أمريكية مكثفة بشأن سوريا",
        "source": "سيريانيوز",
        "published": None,
        "dateline": "",
        "author": "",
        "section": "الاخبار السياسية",
        "agency": "",
    },
    "003_838c776ce97c28fb.txt": {
        # 15 and 31 are the article's subheadings; 9 is two related headlines run together;
        # 23 and 37-38 are photo captions.
        "body": {7, 11, 13, 15, 17, 19, 27, 29, 31, 33, 42, 44, 46, 48},
        "title": "وزارة الدفاع الروسية: تقارب بين موسكو وواشنطن بشأن سلامة الطلعات في سوريا",
        "source": "وكالة انباء براثا",
        "published": date(2015, 10, 15),
        "dateline": "",
        "author": "",
        "section": "سوريا - لبنان - فلسطين",
        "agency": "",
    },
    "004_cd1fa4d3cc96dd3c.txt": {
        # 34 is the outlet's about-us blurb under the tags, not the article.
        "body": {6, 8, 10, 12, 14, 18, 20, 22, 24, 26, 28},
        "title": "محادثات أمريكية روسية بشأن “عمليات جوية آمنة” فوق سوريا تحرز تقدماً",
        "source": "المركز الديمقراطي العربي",
        "published": None,
        "dateline": "",
        "author": "",
        "section": "الشرق الأوسط",
        "agency": "",
    },
}
