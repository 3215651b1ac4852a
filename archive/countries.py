"""Countries by the short Arabic names the archive gives them (fixtures/sources.json: «الإمارات», «سوريا»),
for the ISO 3166-1 codes of the outlet table (archive/text/data/outlets.json)."""

ARABIC_NAMES = {
    "AE": "الإمارات",
    "BH": "البحرين",
    "CN": "الصين",
    "DE": "ألمانيا",
    "DJ": "جيبوتي",
    "DZ": "الجزائر",
    "EG": "مصر",
    "FR": "فرنسا",
    "GB": "بريطانيا",
    "IL": "إسرائيل",
    "IQ": "العراق",
    "IR": "إيران",
    "JO": "الأردن",
    "KM": "جزر القمر",
    "KW": "الكويت",
    "LB": "لبنان",
    "LY": "ليبيا",
    "MA": "المغرب",
    "MR": "موريتانيا",
    "OM": "عمان",
    "PS": "فلسطين",
    "QA": "قطر",
    "RU": "روسيا",
    "SA": "السعودية",
    "SD": "السودان",
    "SO": "الصومال",
    "SY": "سوريا",
    "TN": "تونس",
    "TR": "تركيا",
    "US": "الولايات المتحدة",
    "YE": "اليمن",
}


def arabic_country_name(code: str) -> str:
    """The country's Arabic name, or the code itself for a country not listed (an editor can name it)."""
    code = code.strip().upper()
    return ARABIC_NAMES.get(code, code)
