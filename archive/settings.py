"""Settings read from the environment, with safe defaults for a laptop.

ARCHIVE_ENV=production turns on the HTTPS-only settings of Django's deployment checklist and
requires SECRET_KEY and ALLOWED_HOSTS to be given. A malformed value stops the start with the
variable's name rather than being read as some default.
"""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var")).resolve()
ENVIRONMENT = os.environ.get("ARCHIVE_ENV", "local")
if ENVIRONMENT.strip().lower() not in ("local", "production"):
    raise ImproperlyConfigured(f"ARCHIVE_ENV={ENVIRONMENT!r} is neither 'local' nor 'production'.")
PRODUCTION = ENVIRONMENT.strip().lower() == "production"

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_flag(name: str, default: bool) -> bool:
    """A yes/no variable; anything but the known words is refused, so "maybe" never means "no"."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of {', '.join(TRUE_WORDS + FALSE_WORDS)}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """An integer setting; a malformed or too small value stops start-up with a message naming it."""
    value = os.environ.get(name)
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]+", value.strip()):  # int() would take "1_000", "-5" and Arabic digits
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.")
    number = int(value.strip())
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below its minimum of {minimum}.")
    return number


SEARCH_ENGINES = ("whoosh", "elasticsearch", "opensearch")
DATABASE_ENGINES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")


def env_database(name: str, default: str) -> dict:
    """A database URL, SQLite or PostgreSQL (the two the test suite runs on); anything else is refused
    by name, with the URL's password left out of the message."""
    value = os.environ.get(name)
    url = default if value is None else value.strip()
    shown = re.sub(r"//[^/@]*@", "//…@", url)
    form = "sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/NAME"
    try:
        config = dj_database_url.parse(url)
    except Exception:  # dj_database_url raises its own errors for an unknown scheme or a bad URL
        raise ImproperlyConfigured(f"{name}={shown!r} is not a database URL: use {form}.") from None
    if config.get("ENGINE") not in DATABASE_ENGINES:
        raise ImproperlyConfigured(f"{name}={shown!r} is not a supported database: use {form}.")
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={shown!r} names no database.")
    return config


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a few words; any other value is refused by name."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value.strip().lower()


def make_private(path: Path, mode: int) -> None:
    """Narrows a file or folder of ours to its owner, for installs made before the data was kept private."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.geteuid() and status.st_mode & 0o777 != mode:
        path.chmod(mode)


def create_private_file(path: Path, content: str = "") -> None:
    """Creates a file readable by its owner only from the start; FileExistsError if it is there already."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(content)


def local_secret_key() -> str:
    """A key kept in the data folder, so a laptop install needs no set-up and keeps its sessions.

    It is written to a private draft and linked into place, so no process ever reads a partial key.
    """
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        draft = DATA_DIR / f".secret_key.{secrets.token_hex(8)}"
        create_private_file(draft, secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process made the key first; everyone uses that one
        finally:
            draft.unlink()
    make_private(key_file, 0o600)
    return key_file.read_text().strip()


def private_sqlite_database(name: str) -> None:
    """Creates the SQLite file empty with mode 0600 before SQLite does (it would make it 0644).

    SQLite gives the -wal and -shm files the mode of the database file, so they are private too.
    """
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    for each in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        make_private(each, 0o600)
    if path.parent.is_dir():
        try:
            create_private_file(path)
        except FileExistsError:
            pass


# The data folder holds the password hashes and sessions (SQLite) and the local secret key.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
make_private(DATA_DIR, 0o700)

DEBUG = env_flag("DEBUG", False)
if PRODUCTION:
    if "SECRET_KEY" not in os.environ or "ALLOWED_HOSTS" not in os.environ:
        raise ImproperlyConfigured("Production mode needs SECRET_KEY and ALLOWED_HOSTS in the environment.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production mode.")
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "archive",  # before haystack, so that its update_index (with a progress bar) is the one run
    "haystack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive.web.middleware.ArabicFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into its 429 answer
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'archive.sqlite3'}")}
# Each of gunicorn's threads keeps its connection: opening one (SQLite's WAL set-up included) was
# a twentieth of a search page's time.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets journalists read while an ingest writes; a busy timeout absorbs short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    private_sqlite_database(str(DATABASES["default"]["NAME"]))
else:
    # A connection kept CONN_MAX_AGE seconds is checked before reuse, so a restarted server costs no request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks every login before Django's own backend does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The search engine sits behind haystack: the embedded Whoosh index by default; Elasticsearch 7 or
# OpenSearch 2 (SEARCH_ENGINE, HAYSTACK_URL) with the same Arabic analysis for a larger archive
# (archive/search/elasticsearch.py, docs/scaling.md).
SEARCH_ENGINE = env_choice(
    "SEARCH_ENGINE", "elasticsearch" if os.environ.get("HAYSTACK_URL") else "whoosh", SEARCH_ENGINES
)
if SEARCH_ENGINE == "whoosh":
    HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "archive.search.backend.ArabicWhooshEngine",
            "PATH": str(DATA_DIR / "whoosh_index"),
            "BATCH_SIZE": 500,
            "INCLUDE_SPELLING": True,
            # A bulk load's writer processes, and the postings each sorts in memory before it spills
            # a run to disk (resident memory is about three times that): up to 10 GB for an ingest at the
            # defaults on 2 cores; a server with 8 GB of RAM wants fewer or smaller (docs/scaling.md).
            "WRITER_PROCS": env_int("INDEX_WRITER_PROCS", os.cpu_count() or 1, minimum=1),
            "WRITER_LIMIT_MB": env_int("INDEX_WRITER_MB", 1024, minimum=32),
        },
    }
else:
    search_url = os.environ.get("HAYSTACK_URL", "").strip()
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", search_url):
        raise ImproperlyConfigured(
            f"SEARCH_ENGINE={SEARCH_ENGINE} needs HAYSTACK_URL=http(s)://HOST:PORT, not {search_url!r}."
        )
    HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "archive.search.elasticsearch.ArabicElasticsearchEngine",
            "URL": search_url,
            "INDEX_NAME": os.environ.get("HAYSTACK_INDEX_NAME", "archive"),
            "DISTRIBUTION": SEARCH_ENGINE,
            "BATCH_SIZE": 500,
            "INCLUDE_SPELLING": True,
            "TIMEOUT": env_int("HAYSTACK_TIMEOUT", 30, minimum=1),
        },
    }
# What one process keeps of the index in memory (term postings, facet values, date keys), in bytes:
# shared by its threads, whatever the number of requests (archive.search.engine).
SEARCH_CACHE_BYTES = env_int("SEARCH_CACHE_BYTES", 256 * 1024 * 1024, minimum=1024 * 1024)
HAYSTACK_SIGNAL_PROCESSOR = "archive.search.signals.ArticleSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

# Ingestion limits: larger inputs are rejected with a reason rather than read.
ARCHIVE_MAX_INPUT_BYTES = env_int("ARCHIVE_MAX_INPUT_BYTES", 20 * 1024 * 1024, minimum=1)
# What one compressed file (.jsonl.gz, .warc.gz) may expand to; the corpus files reach about 110 MB.
ARCHIVE_MAX_DECOMPRESSED_BYTES = env_int("ARCHIVE_MAX_DECOMPRESSED_BYTES", 512 * 1024 * 1024, minimum=1)
ARCHIVE_MAX_BODY_CHARS = env_int("ARCHIVE_MAX_BODY_CHARS", 1_000_000, minimum=1)
# Rows of one CSV export: 10,000 stream in about two seconds; the whole archive took 13.
ARCHIVE_EXPORT_MAX_ROWS = env_int("ARCHIVE_EXPORT_MAX_ROWS", 10_000, minimum=1)

LOGIN_URL = "admin:login"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Login throttling: five wrong passwords for one username from one address lock that pair out for an
# hour (status 429 with a message); other users and addresses go on. `manage.py axes_reset` lifts the locks.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The number of reverse proxies in front of the site (production expects one, a TLS-terminating proxy).
# Behind them the client's address is the one the outermost proxy appended to X-Forwarded-For, so a
# client cannot pick its own address by sending that header; with none it is the peer's address.
ARCHIVE_PROXY_COUNT = env_int("ARCHIVE_PROXY_COUNT", 1 if PRODUCTION else 0)
if ARCHIVE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = ARCHIVE_PROXY_COUNT - 1
    IPWARE_STRICT = False  # pick by position from the right, whatever a client put on the left
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Every page runs only the site's own scripts and styles. Views that send their own policy (the
# original as received) keep it: django-csp does not replace a header already set.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
