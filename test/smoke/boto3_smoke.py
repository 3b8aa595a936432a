"""boto3 smoke run against a running Signet, driven by cli-tools.test.ts.

Run with Debian's interpreter and Debian's python3-boto3:

    /usr/bin/python3 -I test/smoke/boto3_smoke.py ENDPOINT ACCESS_KEY SECRET_KEY BUCKET WORKDIR

Every check is an assertion here; on success the last line printed is one JSON
object (versions, and which signature each presigned URL / POST form used) that
the node test checks again. Any failure exits non-zero with a traceback.
"""

import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MIB = 1024 * 1024
HTTP_TIMEOUT = 60


def main() -> None:
    endpoint, access_key, secret_key, bucket, workdir = sys.argv[1:6]
    summary: dict = {
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "requests": requests.__version__,
        "python": sys.version.split()[0],
    }

    def client(config: Config | None = None):
        return boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
            config=config,
        )

    s3 = client()  # botocore's defaults, as a user would have them
    s3v4 = client(Config(signature_version="s3v4"))

    # --- bucket, put, get -------------------------------------------------
    s3.create_bucket(Bucket=bucket)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert bucket in names, names

    small_key = "dir one/naïve file.txt"
    small = "héllo from boto3 ✓\n".encode() * 50
    s3.put_object(Bucket=bucket, Key=small_key, Body=small, ContentType="text/plain; charset=utf-8", Metadata={"color": "blue"})
    got = s3.get_object(Bucket=bucket, Key=small_key)
    assert got["Body"].read() == small
    assert got["ContentType"] == "text/plain; charset=utf-8", got["ContentType"]
    assert got["Metadata"] == {"color": "blue"}, got["Metadata"]
    assert got["ETag"] == '"%s"' % hashlib.md5(small).hexdigest(), got["ETag"]

    # ranged get
    part = s3.get_object(Bucket=bucket, Key=small_key, Range="bytes=1-4")
    assert part["Body"].read() == small[1:5]
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206

    # --- multipart through the transfer manager ---------------------------
    big_key = "big/twelve mib.bin"
    big_path = os.path.join(workdir, "boto3-big.bin")
    big = os.urandom(12 * MIB)
    with open(big_path, "wb") as f:
        f.write(big)
    tc = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=2)
    s3.upload_file(big_path, bucket, big_key, Config=tc)
    head = s3.head_object(Bucket=bucket, Key=big_key)
    assert head["ContentLength"] == len(big), head["ContentLength"]
    assert head["ETag"].endswith('-3"'), "expected a 3-part multipart ETag, got %s" % head["ETag"]
    down_path = os.path.join(workdir, "boto3-big.down")
    s3.download_file(bucket, big_key, down_path, Config=tc)
    with open(down_path, "rb") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(big).digest(), "multipart download differs"
    summary["multipartETag"] = head["ETag"]

    # --- listings (boto sets EncodingType=url and decodes the keys) ---------
    v1 = s3.list_objects(Bucket=bucket)
    v1_keys = sorted(o["Key"] for o in v1.get("Contents", []))
    assert v1_keys == sorted([small_key, big_key]), v1_keys
    assert v1.get("EncodingType") == "url", v1.get("EncodingType")
    v2 = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    prefixes = sorted(p["Prefix"] for p in v2.get("CommonPrefixes", []))
    assert prefixes == ["big/", "dir one/"], prefixes
    v2b = s3.list_objects_v2(Bucket=bucket, Prefix="dir one/")
    assert [o["Key"] for o in v2b.get("Contents", [])] == [small_key], v2b.get("Contents")

    # --- server-side copy, tagging ------------------------------------------
    copy_key = "copies/naïve copy.txt"
    s3.copy_object(Bucket=bucket, Key=copy_key, CopySource={"Bucket": bucket, "Key": small_key})
    copied = s3.get_object(Bucket=bucket, Key=copy_key)
    assert copied["Body"].read() == small
    assert copied["Metadata"] == {"color": "blue"}, copied["Metadata"]

    s3.put_object_tagging(Bucket=bucket, Key=small_key, Tagging={"TagSet": [{"Key": "env", "Value": "smoke"}, {"Key": "tool", "Value": "boto3"}]})
    tags = s3.get_object_tagging(Bucket=bucket, Key=small_key)["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "smoke"), ("tool", "boto3")], tags

    # --- presigned URLs -----------------------------------------------------
    def fetch(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(url, method=method, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def query_of(url: str) -> dict:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))

    def presign_kind(q: dict) -> str:
        if q.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" and "X-Amz-Signature" in q:
            return "sigv4"
        if {"AWSAccessKeyId", "Signature", "Expires"} <= q.keys():
            return "sigv2"
        return "unknown: " + ",".join(sorted(q))

    default_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": small_key}, ExpiresIn=300)
    summary["defaultPresignedUrl"] = presign_kind(query_of(default_url))
    assert summary["defaultPresignedUrl"] == "sigv2", "boto3's default presigner for a custom endpoint is expected to be SigV2: " + default_url
    status, body = fetch(default_url)
    assert status == 200, (status, body[:500])
    assert body == small

    # a tampered SigV2 signature must be refused
    q = query_of(default_url)
    q["Signature"] = "A" + q["Signature"][1:] if not q["Signature"].startswith("A") else "B" + q["Signature"][1:]
    bad = urllib.parse.urlunsplit(urllib.parse.urlsplit(default_url)._replace(query=urllib.parse.urlencode(q)))
    status, body = fetch(bad)
    assert status == 403, (status, body[:500])

    v4_url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": small_key}, ExpiresIn=300)
    summary["s3v4PresignedUrl"] = presign_kind(query_of(v4_url))
    assert summary["s3v4PresignedUrl"] == "sigv4", v4_url
    status, body = fetch(v4_url)
    assert status == 200, (status, body[:500])
    assert body == small

    # presigned PUT, both signers
    for name, c in (("sigv2", s3), ("sigv4", s3v4)):
        key = "presigned-put/%s ü.txt" % name
        payload = ("put through a %s presigned URL\n" % name).encode()
        # SigV2 signs the Content-Type, so the PUT must send the one presigned
        # (urllib would otherwise add application/x-www-form-urlencoded)
        url = c.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key, "ContentType": "text/plain"}, ExpiresIn=300)
        assert presign_kind(query_of(url)) == name, url
        status, body = fetch(url, method="PUT", data=payload, headers={"Content-Type": "text/plain"})
        assert status == 200, (name, status, body[:500])
        obj = s3.get_object(Bucket=bucket, Key=key)
        assert obj["Body"].read() == payload
        assert obj["ContentType"] == "text/plain", obj["ContentType"]

    # --- presigned POST forms -----------------------------------------------
    def post_form(post: dict, filename: str, payload: bytes) -> requests.Response:
        # requests builds multipart/form-data with the fields first and the file last
        return requests.post(post["url"], data=post["fields"], files={"file": (filename, payload, "application/octet-stream")}, timeout=HTTP_TIMEOUT)

    for name, c in (("default", s3), ("s3v4", s3v4)):
        key = "post/%s/${filename}" % name
        filename = "form ü %s.txt" % name
        payload = ("uploaded through a %s POST form\n" % name).encode() * 10
        post = c.generate_presigned_post(
            bucket,
            key,
            Fields={"Content-Type": "text/plain", "success_action_status": "201"},
            Conditions=[
                {"Content-Type": "text/plain"},
                {"success_action_status": "201"},
                ["starts-with", "$key", "post/%s/" % name],
                ["content-length-range", 1, 1 * MIB],
            ],
            ExpiresIn=300,
        )
        fields = post["fields"]
        if {"AWSAccessKeyId", "signature", "policy"} <= fields.keys():
            kind = "sigv2"
        elif fields.get("x-amz-algorithm") == "AWS4-HMAC-SHA256" and {"x-amz-credential", "x-amz-date", "x-amz-signature", "policy"} <= fields.keys():
            kind = "sigv4"
        else:
            kind = "unknown: " + ",".join(sorted(fields))
        summary[name + "PresignedPost"] = kind
        assert kind == ("sigv2" if name == "default" else "sigv4"), fields
        resp = post_form(post, filename, payload)
        assert resp.status_code == 201, (name, resp.status_code, resp.text[:500])
        stored_key = "post/%s/%s" % (name, filename)
        obj = s3.get_object(Bucket=bucket, Key=stored_key)
        assert obj["Body"].read() == payload, name
        assert obj["ContentType"] == "text/plain", (name, obj["ContentType"])

        # the same form with a file over the content-length-range is refused
        big_resp = post_form(post, "too big.txt", b"x" * (MIB + 1))
        assert big_resp.status_code in (400, 403), (name, "content-length-range", big_resp.status_code, big_resp.text[:500])

        # and a tampered policy is refused
        tampered = {"url": post["url"], "fields": dict(fields, key="post/%s/other.txt" % name)}
        sig_field = "signature" if kind == "sigv2" else "x-amz-signature"
        tampered["fields"][sig_field] = ("A" if not fields[sig_field].startswith("A") else "B") + fields[sig_field][1:]
        bad_resp = post_form(tampered, "x.txt", b"nope")
        assert bad_resp.status_code == 403, (name, "tampered", bad_resp.status_code, bad_resp.text[:500])

    # --- delete: single, batch, bucket ---------------------------------------
    s3.delete_object(Bucket=bucket, Key=copy_key)
    try:
        s3.head_object(Bucket=bucket, Key=copy_key)
        raise AssertionError("deleted object still answers HEAD")
    except botocore.exceptions.ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response

    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(remaining) == 6, remaining
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in remaining]})
    assert sorted(d["Key"] for d in deleted.get("Deleted", [])) == sorted(remaining), deleted
    assert not deleted.get("Errors"), deleted.get("Errors")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    s3.delete_bucket(Bucket=bucket)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert bucket not in names, names

    print(json.dumps(summary))


if __name__ == "__main__":
    main()
