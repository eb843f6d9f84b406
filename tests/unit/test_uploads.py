"""The upload manager (app/chat/uploads.py). Portable: CPython, MicroPython and Pyodide."""
from app.chat import uploads as up
from app.protocol import errors

MB = 1024 * 1024


def session(types=("image/*", "application/pdf"), max_kb=10240, blocked=(".exe", ".bat")):
    return {"connected": True, "newSession": True,
            "allowedMedia": {"inbound": {"fileTypes": [{"type": t} for t in types], "maxFileSizeKB": max_kb}},
            "blockedExtensions": list(blocked)}


def manager(**limits):
    u = up.Uploads()
    u.set_limits(session(**limits))
    return u


def ready_one(u, upload_id="u1", name="photo.png", mime="image/png", size=2048):
    upload, out = u.add(upload_id, name, mime, size)
    assert out == [("request", upload_id, name, mime, size)], out
    u.on_ready(upload_id, "https://s3/put", {"x-amz-tagging": "abc"})
    u.on_put_done(upload_id, 200)
    u.on_succeeded(upload_id, "https://s3/get")
    return u.get(upload_id)


def states(u):
    return [item.state for item in u.items()]


# ----- limits and checks

def test_allowed_file_passes_check():
    assert manager().check("photo.PNG", "image/png", 1000) == ""
    assert manager().check("doc.pdf", "APPLICATION/PDF", 1000) == ""


def test_type_not_allowed_names_the_allowed_kinds():
    reason = manager().check("song.mp3", "audio/mpeg", 1000)
    assert "song.mp3" in reason and "images" in reason and "PDF" in reason, reason


def test_too_large_says_the_limit_in_mb_and_kb():
    reason = manager(max_kb=10240).check("big.png", "image/png", 10 * MB + 1)
    assert "too large" in reason and "10 MB" in reason, reason
    assert manager(max_kb=10240).check("edge.png", "image/png", 10 * MB) == ""
    assert "500 KB" in manager(max_kb=500).check("big.png", "image/png", 500 * 1024 + 1)
    assert "1.5 MB" in manager(max_kb=1536).check("big.png", "image/png", 2 * MB)


def test_blocked_extension_says_which():
    reason = manager(types=("*/*",)).check("setup.EXE", "application/octet-stream", 10)
    assert ".exe" in reason and "not allowed" in reason, reason
    # listed without the dot, compared case-insensitively
    assert manager(types=("*/*",), blocked=("BAT",)).check("run.bat", "", 10) != ""


def test_blocked_double_extension():
    u = manager(types=("*/*",))
    assert ".exe" in u.check("invoice.pdf.exe", "application/pdf", 10)
    assert ".exe" in u.check("invoice.pdf.exe. ", "", 10)  # trailing dot and space ignored
    assert manager(types=("*/*",), blocked=(".tar.gz",)).check("a.b.tar.gz", "", 10) != ""
    assert u.check("report.exe.pdf", "application/pdf", 10) == ""  # only the real (last) extension


def test_empty_file_and_names():
    u = manager()
    assert "empty" in u.check("blank.png", "image/png", 0)
    long_name = "a" * 252 + ".png"  # 256 characters
    assert "255" in u.check(long_name, "image/png", 10)
    assert u.check("a" * 251 + ".png", "image/png", 10) == ""
    assert u.check("", "image/png", 10) != ""


def test_wildcards():
    assert manager(types=("*/*",)).check("anything.xyz", "application/x-whatever", 5) == ""
    u = manager(types=("IMAGE/*",))
    assert u.check("p.webp", "image/webp", 5) == ""
    assert u.check("v.mp4", "video/mp4", 5) != ""
    assert manager(types=("text/plain",)).check("t.txt", "text/plain; charset=utf-8", 5) == ""


def test_missing_mime_is_guessed_from_the_extension():
    u = manager(types=("image/png", "text/csv"))
    assert u.check("scan.PNG", "", 5) == ""
    assert u.check("data.csv", "", 5) == ""
    assert u.check("mystery.qqq", "", 5) != ""
    assert u.check("noext", "", 5) != ""
    # only */* lets an unknown file without a type through; it is sent as octet-stream
    everything = manager(types=("*/*",))
    assert everything.check("mystery.qqq", "", 5) == ""
    upload, out = everything.add("m", "mystery.qqq", "", 5)
    assert upload.mime == "application/octet-stream" and upload.media_type == "File"
    upload, out = u.add("s", "scan.png", "", 5)
    assert out == [("request", "s", "scan.png", "image/png", 5)] and upload.media_type == "Image"


def test_enabled_needs_allowed_media():
    u = up.Uploads()
    assert not u.enabled()  # nothing known yet
    u.set_limits({"connected": True, "newSession": True})
    assert not u.enabled()
    assert "can't be sent" in u.check("p.png", "image/png", 10)
    assert u.add("u1", "p.png", "image/png", 10)[1] == [] and u.items() == ()
    u.set_limits({"allowedMedia": {"inbound": {"fileTypes": [], "maxFileSizeKB": 100}}})
    assert not u.enabled()
    assert manager().enabled()


def test_enable_attachments_false_disables():
    u = manager()
    u.set_deployment({"messenger": {"fileUpload": {"enableAttachments": False, "modes": []}}})
    assert not u.enabled()
    assert u.check("photo.png", "image/png", 10) != ""


def test_deployment_modes_are_used_until_the_session_says():
    u = up.Uploads()
    u.set_deployment({"messenger": {"fileUpload": {"enableAttachments": True, "modes": [
        {"fileTypes": ["image/png"], "maxFileSizeKB": 100}, {"fileTypes": ["video/mp4"], "maxFileSizeKB": 2048}]}}})
    assert u.enabled()
    assert u.check("p.png", "image/png", 100 * 1024) == ""
    assert "100 KB" in u.check("p.png", "image/png", 200 * 1024)
    assert u.check("v.mp4", "video/mp4", MB) == ""  # each mode has its own limit
    u.set_limits(session(types=("application/pdf",)))
    assert u.check("p.png", "image/png", 10) != "" and u.check("d.pdf", "application/pdf", 10) == ""


def test_accept_attribute():
    assert manager(types=("*/*",)).accept_attribute() == ""
    accept = manager(types=("image/*", "application/pdf")).accept_attribute()
    assert accept.split(",") == ["image/*", "application/pdf", ".pdf"], accept
    assert up.Uploads().accept_attribute() == ""


def test_accept_attribute_follows_the_rules():
    """It is worked out once per set of rules (every view asks): new rules give a new answer."""
    u = manager(types=("application/pdf",))
    assert u.accept_attribute() == "application/pdf,.pdf"
    assert u.accept_attribute() == "application/pdf,.pdf"
    u.set_limits(session(types=("image/png",)))
    assert u.accept_attribute().split(",")[0] == "image/png"
    u.set_limits(session(types=("*/*",)))
    assert u.accept_attribute() == ""


# ----- the upload flow

def test_happy_path():
    u = manager()
    upload, out = u.add("u1", "photo.png", "image/png", 2048)
    assert upload.state == "requesting" and upload.media_type == "Image" and upload.error == ""
    assert out == [("request", "u1", "photo.png", "image/png", 2048)]
    assert u.busy()
    out = u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    assert out == [("put", "u1", "https://s3/put", {"x-amz-tagging": "abc", "Content-Type": "image/png"})]
    assert u.get("u1").state == "uploading"
    assert u.on_progress("u1", 512, 2048) == []
    assert u.get("u1").state == "uploading" and u.get("u1").progress == 25
    u.on_put_done("u1", 200)
    assert u.get("u1").state == "processing" and u.get("u1").progress == 100 and u.busy()
    assert u.ready_for_send() == []
    u.on_succeeded("u1", "https://s3/get")
    assert u.get("u1").state == "ready" and not u.busy()
    assert u.ready_for_send() == [("u1", "Image")]
    assert u.sent() == [("u1", "Image")]
    assert u.items() == () and u.ready_for_send() == []


def test_refused_file_is_reported_not_kept():
    u = manager()
    upload, out = u.add("u1", "tool.exe", "application/octet-stream", 10)
    assert upload.state == "failed" and ".exe" in upload.error and out == []
    assert u.items() == () and u.get("u1") is None


def test_items_keep_the_order_added_and_sent_takes_only_ready_ones():
    u = manager()
    ready_one(u, "a", "a.png")
    u.add("b", "b.pdf", "application/pdf", 10)
    ready_one(u, "c", "c.png")
    assert [i.id for i in u.items()] == ["a", "b", "c"]
    assert u.ready_for_send() == [("a", "Image"), ("c", "Image")]
    assert u.busy()
    assert u.sent(["a"]) == [("a", "Image")]
    assert [i.id for i in u.items()] == ["b", "c"]


def test_put_failure_and_retry_with_a_new_attempt_id():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    u.on_put_done("u1", 0)
    failed = u.get("u1")
    assert failed.state == "failed" and "connection" in failed.error and u.retryable("u1")
    assert not u.busy()
    assert u.retry("u1", "") == [] and u.retry("u1", "u1") == []  # a fresh attempt id is required
    assert u.retry("u1", "u1-2") == [("request", "u1-2", "photo.png", "image/png", 2048)]
    again = u.get("u1")
    assert again.state == "requesting" and again.id == "u1" and again.error == "" and again.progress == 0
    assert u.attachment_id("u1") == "u1-2" and u.get("u1-2").id == "u1"
    assert u.on_ready("u1-2", "https://s3/put2", {})[0][:3] == ("put", "u1", "https://s3/put2")
    u.on_put_done("u1", 403)
    assert u.get("u1").state == "failed" and u.retryable("u1")
    assert u.retry("u1", "u1-3")[0][1] == "u1-3"
    u.on_ready("u1-3", "https://s3/put3", {"x": "1"})
    u.on_put_done("u1-3", 204)  # the attempt id works too
    u.on_succeeded("u1-3", "https://s3/get")
    assert u.ready_for_send() == [("u1-3", "Image")]


def test_success_after_a_put_that_looked_failed():
    # a PUT whose response CORS hides reports status 0, yet the service may confirm the upload
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    u.on_put_done("u1", 0)
    u.on_succeeded("u1", "https://s3/get")
    assert u.get("u1").state == "ready" and u.get("u1").error == ""


def test_upload_failed_with_4002():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    assert u.on_failed("u1", errors.problem_for(4002)) == [("abort", "u1")]  # the PUT was still running
    failed = u.get("u1")
    assert failed.state == "failed"
    assert failed.error == "This file is larger than this chat accepts. Choose a smaller file."
    assert not u.retryable("u1") and u.retry("u1", "u1-2") == []
    assert u.remove("u1") == [] and u.items() == ()


def test_generate_url_error_while_requesting_is_retryable():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    assert u.on_failed("u1", errors.problem_for(5000)) == []
    failed = u.get("u1")
    assert failed.state == "failed" and "Reconnecting" not in failed.error and failed.error
    assert u.retryable("u1")
    u.on_failed("u1", errors.problem_for(4010))
    assert u.get("u1").state == "failed"


def test_cancel_before_on_ready():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    assert u.cancel("u1") == [("abort", "u1")]
    assert u.items() == ()
    assert u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"}) == []  # late answer: no PUT
    assert u.on_ready("u1", "https://s3/put", {}) == []  # nor a download link


def test_cancel_after_on_ready():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    assert u.cancel("u1") == [("abort", "u1"), ("delete", "u1")]
    assert u.items() == () and not u.busy()
    # the PUT beat the abort: the service confirms it, and the file is deleted again
    assert u.on_succeeded("u1", "https://s3/get") == [("delete", "u1")]
    assert u.on_succeeded("u1", "https://s3/get") == []
    assert u.items() == ()


def test_cancel_while_processing_deletes_without_abort():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    u.on_ready("u1", "https://s3/put", {"x-amz-tagging": "abc"})
    u.on_put_done("u1", 200)
    assert u.cancel("u1") == [("delete", "u1")]
    assert u.on_deleted("u1") == []
    assert u.on_succeeded("u1", "https://s3/get") == []


def test_remove_a_ready_file():
    u = manager()
    ready_one(u)
    assert u.remove("u1") == [("delete", "u1")]
    assert u.items() == () and u.ready_for_send() == []
    assert u.on_deleted("u1") == []
    assert u.remove("u1") == []


def test_unknown_ids_are_ignored():
    u = manager()
    ready_one(u)
    before = u.items()
    assert u.on_ready("other", "https://s3/put", {"x-amz-tagging": "abc"}) == []
    assert u.on_progress("other", 1, 2) == []
    assert u.on_put_done("other", 200) == []
    assert u.on_succeeded("other", "https://s3/get") == []
    assert u.on_failed("other", errors.problem_for(4001)) == []
    assert u.cancel("other") == [] and u.remove("other") == [] and u.on_deleted("other") == []
    assert u.retry("other", "x") == [] and not u.retryable("other") and u.get("other") is None
    assert u.attachment_id("other") == "" and u.sent(["other"]) == []
    assert u.items() == before


def test_events_out_of_order_are_ignored():
    u = manager()
    u.add("u1", "photo.png", "image/png", 2048)
    assert u.on_progress("u1", 1, 2) == [] and u.get("u1").progress == 0  # not uploading yet
    u.on_put_done("u1", 200)
    u.on_succeeded("u1", "https://s3/get")
    assert u.get("u1").state == "requesting"
    again, out = u.add("u1", "photo.png", "image/png", 2048)
    assert out == [] and len(u.items()) == 1


def test_get_attachment_answer_is_a_download():
    u = manager()
    assert u.on_ready("att-9", "https://s3/fresh", {}) == [("download", "att-9", "https://s3/fresh")]
    ready_one(u)
    assert u.on_ready("u1", "https://s3/fresh", {}) == [("download", "u1", "https://s3/fresh")]
    assert u.get("u1").state == "ready"


def test_busy_while_any_is_in_flight():
    u = manager()
    assert not u.busy()
    ready_one(u, "a")
    assert not u.busy()
    u.add("b", "b.png", "image/png", 10)
    assert u.busy()
    u.on_ready("b", "https://s3/put", {})
    assert u.busy()
    u.on_put_done("b", 500)
    assert not u.busy()


def test_clear_aborts_what_is_in_flight():
    u = manager()
    ready_one(u, "a")
    u.add("b", "b.png", "image/png", 10)
    u.add("c", "c.png", "image/png", 10)
    u.on_ready("c", "https://s3/put", {})
    assert u.clear() == [("abort", "b"), ("abort", "c")]
    assert u.items() == ()


def test_media_types():
    assert up.media_type("image/png") == "Image" and up.media_type("VIDEO/mp4") == "Video"
    assert up.media_type("audio/mpeg") == "Audio" and up.media_type("application/pdf") == "File"
    assert up.media_type("") == "File"


def test_words_can_be_replaced():
    u = up.Uploads({"upload.empty": "{name}: vide"})
    u.set_limits(session())
    assert u.check("x.png", "image/png", 0) == "x.png: vide"
