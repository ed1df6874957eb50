from rest_framework.pagination import CursorPagination


class Pagination(CursorPagination):
    """Keyset pagination: stable pages however many rows are added meanwhile."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
