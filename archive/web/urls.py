"""Journalists' pages: search, articles, sources, dates, the chart, exports, the feed and the JSON API."""

from django.urls import path, re_path

from . import api, views
from .feeds import SearchFeed

urlpatterns = [
    path("", views.search, name="search"),
    path("chart.svg", views.chart, {"fmt": "svg"}, name="chart_svg"),
    path("chart.png", views.chart, {"fmt": "png"}, name="chart_png"),
    path("chart.csv", views.chart_csv, name="chart_csv"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("feed.atom", SearchFeed(), name="search_feed"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/original/", views.article_original, name="article_original"),
    path(
        "articles/<int:pk>/original/download/",
        views.article_original,
        {"download": True},
        name="article_original_download",
    ),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<str:slug>/", views.SourceArticles.as_view(), name="source_detail"),
    path("dates/", views.date_index, name="date_index"),
    path("dates/unknown/", views.UndatedArticles.as_view(), name="date_unknown"),
    re_path(r"^dates/(?P<year>[0-9]{4})/$", views.YearArticles.as_view(), name="date_year"),
    re_path(
        r"^dates/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.MonthArticles.as_view(), name="date_month"
    ),
    re_path(
        r"^dates/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.DayArticles.as_view(),
        name="date_day",
    ),
    path("api/search/", api.search, name="api_search"),
    path("api/articles/<int:pk>/", api.article, name="api_article"),
]
