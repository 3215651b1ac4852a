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
