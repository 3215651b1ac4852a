from archive.text import outlets


def test_every_outlet_has_a_name_a_latin_name_a_domain_and_a_country():
    for outlet in outlets.outlets():
        assert outlet.name and outlet.latin_name and outlet.domains
        assert len(outlet.country) == 2 and outlet.country.isupper()


def test_no_domain_or_name_belongs_to_two_outlets():
    domains = [d for o in outlets.outlets() for d in o.domains]
    assert len(domains) == len(set(domains))
    owner = {}
    for outlet in outlets.outlets():
        for name in outlet.names():
            key = outlets.name_key(name)
            assert owner.setdefault(key, outlet) is outlet, name


def test_a_domain_matches_its_subdomains_but_not_a_lookalike():
    assert outlets.by_domain("http://www.alarabiya.net/ar/politics/x.html").latin_name == "Al Arabiya"
    assert outlets.by_domain("https://arabic.cnn.com/middle-east/").latin_name == "CNN Arabic"
    assert outlets.by_domain("english.alarabiya.net").latin_name == "Al Arabiya"
    assert outlets.by_domain("https://notalarabiya.net/") is None
    assert outlets.by_domain("https://alarabiya.net.evil.example/") is None
    assert outlets.by_domain("") is None
    assert outlets.by_domain("http://[::1/") is None


def test_a_name_is_found_folded():
    assert outlets.by_name("العربية.نت").domains == ("alarabiya.net",)
    assert outlets.by_name("الشرق الاوسط").latin_name == "Asharq Al-Awsat"
    assert outlets.by_name("SKYNEWS").latin_name == "Sky News Arabia"
    assert outlets.by_name("") is None
    assert outlets.by_name("تعليقات") is None


def test_the_table_holds_at_least_a_hundred_outlets_and_the_test_pages_sites():
    assert len(outlets.outlets()) >= 100
    for host in (
        "assabah.com.tn",
        "lbcgroup.tv",
        "arabic.sputniknews.com",
        "almadenahnews.com",
        "albayan.ae",
    ):
        assert outlets.by_domain(host) is not None, host
    for host in ("youm7.com", "akhbarelyom.com", "beirutobserver.com", "alyaum.com", "elbaladtv.net"):
        assert outlets.by_domain(host) is not None, host


def test_handles_and_domains_are_keys_to_the_table():
    assert outlets.is_handle("Sputnik_Ar") and outlets.is_handle("@x")
    assert not outlets.is_handle("Sky News Arabia") and not outlets.is_handle("alyaum")
    assert outlets.resolve("@Sputnik_Ar").latin_name == "Sputnik Arabic"
    assert outlets.resolve("CNNArabic.com").latin_name == "CNN Arabic"
    assert outlets.resolve("https://www.youm7.com/").latin_name == "Youm7"
    assert outlets.resolve("@x") is None and outlets.resolve("") is None
    assert outlets.resolve("منوعات") is None


def test_latin_names_are_found_as_whole_words_only():
    assert [o.latin_name for o in outlets.latin_names_in("Youm7 | Hespress")] == ["Youm7", "Hespress"]
    assert outlets.latin_names_in("Youm7s and xHespress") == []
    assert outlets.latin_names_in("CNN BBC") == []  # too short to tell a masthead from a citation
