"""The REST API under /api/v1, in-process, on the embedded back ends."""

import pytest
from fastapi.testclient import TestClient

from archive.app import create_app
from tests.support.accounts import logged_in, make_user
from tests.support.documents import CV_LINES, born_digital_pdf, png_bytes, rendered_page


@pytest.fixture
def client(container):
    make_user(container, "admin1", "admin", "TINH", clearance=2)
    return logged_in(create_app(container=container), "admin1")


def _staff(client, code="NV010", **kw):
    body = {"code": code, "full_name": "Trần Văn Đức", "birth_date": "1959-02-01", "unit_code": "TINH",
            "status": "tu_tran", **kw}
    return client.post("/api/v1/staff", json=body)


def test_upload_process_and_search_through_the_api(client, container, tesseract):
    assert _staff(client).status_code == 201
    img, _ = rendered_page(["Giấy chứng tử của ông Trần Văn Đức", "Nơi cư trú: xã Tân Phú"])
    r = client.post("/api/v1/documents", data={"staff_code": "NV010", "document_type": "giay_chung_tu"},
                    files={"file": ("chung-tu.png", png_bytes(img), "image/png")})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["state"] == "queued" and doc["created"] is True
    container.queue.drain()

    assert client.get(f"/api/v1/documents/{doc['id']}").json()["state"] == "indexed"
    text = client.get(f"/api/v1/documents/{doc['id']}/text").json()
    assert text[0]["source"] == "ocr" and "chứng tử" in text[0]["text"]

    found = client.get("/api/v1/search", params={"q": "tran van duc", "status": "tu_tran", "group": "page"}).json()
    assert found["total"] == 1
    hit = found["hits"][0]
    assert (hit["staff_code"], hit["staff_name"], hit["page"]) == ("NV010", "Trần Văn Đức", 1)
    assert "<mark>Trần</mark>" in hit["snippet"]
    assert client.get("/api/v1/search", params={"q": "tran van duc", "status": "nghi_huu", "group": "page"}).json()["total"] == 0


def test_original_download_is_byte_for_byte(client):
    _staff(client)
    data = born_digital_pdf(CV_LINES)
    doc = client.post("/api/v1/documents", data={"staff_code": "NV010"},
                      files={"file": ("Sơ yếu lý lịch.pdf", data, "application/pdf")}).json()
    r = client.get(f"/api/v1/documents/{doc['id']}/original")
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-sha256"] == doc["sha256"]
    assert "S%C6%A1%20y%E1%BA%BFu" in r.headers["content-disposition"]


def test_bad_requests_get_clear_4xx(client):
    _staff(client)
    assert _staff(client).status_code == 409
    assert "đã tồn tại" in _staff(client).json()["detail"]
    r = _staff(client, code="NV011", status="ve_huu")
    assert r.status_code == 422 and "Trạng thái không hợp lệ" in r.json()["detail"]
    r = client.post("/api/v1/documents", data={"staff_code": "NV999"}, files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 404 and "NV999" in r.json()["detail"]
    r = client.post("/api/v1/documents", data={"staff_code": "NV010"}, files={"file": ("a.gif", b"GIF89a", "image/gif")})
    assert r.status_code == 422 and "không được hỗ trợ" in r.json()["detail"]
    r = client.post("/api/v1/documents", data={"staff_code": "NV010"}, files={"file": ("a.pdf", b"", "application/pdf")})
    assert r.status_code == 422 and "rỗng" in r.json()["detail"]
    assert client.get("/api/v1/documents/12345").status_code == 404
    assert client.get("/api/v1/search", params={"q": "x", "limit": 0}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "x", "status": "khong_ro"}).status_code == 422


def test_requests_without_a_valid_token_get_401(container):
    anonymous = TestClient(create_app(container=container))
    assert anonymous.get("/api/v1/search", params={"q": "x"}).status_code == 401
    anonymous.headers["Authorization"] = "Bearer at_not-a-real-token"
    r = anonymous.get("/api/v1/staff/NV010")
    assert r.status_code == 401 and "đăng nhập" in r.json()["detail"]


def test_openapi_is_served(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/documents", "/api/v1/search", "/api/v1/staff"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_raw_body_upload_streams_to_the_store_and_checks_before_reading(client, container):
    _staff(client)
    data = born_digital_pdf(CV_LINES)
    r = client.put("/api/v1/staff/NV010/documents/Sơ yếu lý lịch.pdf", params={"document_type": "so_yeu_ly_lich"},
                   content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["file_name"], doc["document_type"], doc["created"]) == ("Sơ yếu lý lịch.pdf", "so_yeu_ly_lich", True)
    assert client.get(f"/api/v1/documents/{doc['id']}/original").content == data
    again = client.put("/api/v1/staff/NV010/documents/b.pdf", content=data)
    assert again.status_code == 201 and again.json()["created"] is False
    assert client.put("/api/v1/staff/NV999/documents/x.pdf", content=data).status_code == 404
    assert client.put("/api/v1/staff/NV010/documents/x.gif", content=b"GIF89a").status_code == 422
    container.settings.max_upload_bytes = 100
    r = client.put("/api/v1/staff/NV010/documents/big.pdf", content=data)
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]
    assert list(container.settings.tmp_dir.iterdir()) == []


def test_raw_body_upload_of_several_mebibytes_arrives_whole_or_not_at_all(client, container, tmp_path):
    # Bodies over 1 MiB are hashed and written in a thread while the next MiB arrives.
    from bench.upload import write_large_pdf

    _staff(client)
    pdf = tmp_path / "large.pdf"
    size = write_large_pdf(pdf, 5 * 1024 * 1024)
    data = pdf.read_bytes()
    r = client.put("/api/v1/staff/NV010/documents/large.pdf", content=data)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["size"] == size == len(data)
    assert client.get(f"/api/v1/documents/{doc['id']}/original").content == data
    container.settings.max_upload_bytes = 3 * 1024 * 1024  # refused part-way through the stream
    other = data[:-10] + b"%%EOF \n\n\n"  # other bytes: not the stored document again
    r = client.put("/api/v1/staff/NV010/documents/big.pdf", content=other)
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]
    assert list(container.settings.tmp_dir.iterdir()) == []
