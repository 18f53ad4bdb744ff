"""One table maps every domain error to an HTTP status, a CLI exit code and a sentence."""

import pytest

from archive import error_table
from archive.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ingest import InvalidUpload
from search import SearchError
from storage import ObjectNotFound, RetentionLocked, StorageError


@pytest.mark.parametrize("exc,status,code", [
    (Unauthenticated("x"), 401, 1), (Forbidden("x"), 403, 5), (NotFound("x"), 404, 1), (Conflict("x"), 409, 1),
    (InvalidInput("x"), 422, 1), (InvalidUpload("x"), 422, 1),
    (RetentionLocked("k"), 409, 7),  # a record under retention is a refusal, not an outage
    (ObjectNotFound("k"), 503, 2), (StorageError("k"), 503, 2), (SearchError("x"), 503, 2),
])
def test_each_error_has_one_status_and_exit_code(exc, status, code):
    rule = error_table.rule_for(exc)
    assert (error_table.http_status(exc), rule.exit_code) == (status, code)


def test_messages_are_vietnamese_and_unexpected_errors_say_nothing_of_themselves():
    assert error_table.message(RetentionLocked("abc: WORM")).startswith("Tài liệu đang trong thời hạn bảo quản")
    assert error_table.message(NotFound("Không tìm thấy cán bộ có mã X.")) == "Không tìm thấy cán bộ có mã X."
    assert error_table.http_status(KeyError("secret")) == 500 and error_table.message(KeyError("secret")) == ""


def test_the_api_answers_a_retention_refusal_with_409_not_503(container):
    from fastapi.testclient import TestClient

    from archive.app import create_app

    app = create_app(container=container)

    @app.get("/api/v1/_locked")
    def locked():  # noqa: ANN202
        raise RetentionLocked("k")

    r = TestClient(app).get("/api/v1/_locked")
    assert r.status_code == 409 and "thời hạn bảo quản" in r.json()["detail"]
