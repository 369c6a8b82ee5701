"""Unit tests of the data runner's pure parts (run by dev.hoist.node.AgentPythonTest from mvn test):
the bundle writer and its untrusted reader (names, order, sizes, checksums, links, truncation),
chunking, names and the off-node copy's commands. The runner against a real PostgreSQL and Redis
is it_hoist_data.py's part (DataRunnerIT).
"""
import calendar
import grp
import hashlib
import importlib.util
import io
import json
import os
import re
import tarfile
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "main", "resources", "dev", "hoist", "services", "hoist-data.py")


def load_runner():
    spec = importlib.util.spec_from_file_location("hoist_data", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


data = load_runner()
data.emit = lambda event, **fields: None

HEADER = {"format": 1, "app": "shop", "app_id": "shop", "release": "20260101T000000-abc",
          "created": "2026-12-03T06:00:00Z", "node": "db1", "postgres_version": "15.9",
          "redis_version": "7.0.15", "parts": ["postgres", "redis", "files"]}
PAYLOAD = {"postgres/roles.sql": b"CREATE ROLE shop WITH LOGIN;\n",
           "postgres/dump": bytes(range(256)) * 20,
           "redis/dump.rdb": b"REDIS0010" + b"r" * 3000,
           "files/uploads.tar": b"t" * 2500}


def bundle(header=None, payload=None, chunk=1024, manifest_change=None, end=True):
    header = dict(header or HEADER)
    payload = payload or PAYLOAD
    out = io.BytesIO()
    tar = data.TarOut(out)
    tar.add(data.HEADER, json.dumps(header).encode())
    parts = {}
    old = data.CHUNK
    data.CHUNK = chunk
    try:
        for key, _, _ in data.PARTS:
            if key in payload and key.split("/")[0] in header["parts"]:
                data.write_part(tar, key, data.chunks(data._bytes(payload[key])), parts)
    finally:
        data.CHUNK = old
    manifest = dict(header, parts=parts, complete=True)
    if manifest_change:
        manifest_change(manifest)
    tar.add(data.MANIFEST, json.dumps(manifest).encode())
    if end:
        tar.close()
    return out.getvalue()


class Recorder:
    def __init__(self):
        self.got = {}
        self.ended = []
        self.headers = []

    def header(self, h):
        self.headers.append(h)

    def chunk(self, key, b):
        self.got[key] = self.got.get(key, b"") + b

    def part_end(self, key):
        self.ended.append(key)


def read(raw):
    rec = Recorder()
    header, manifest = data.Reader(io.BytesIO(raw)).run(rec)
    return rec, header, manifest


def members(raw):
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as t:
        return [(m.name, m.size) for m in t.getmembers()]


class BundleTest(unittest.TestCase):
    def test_round_trip_in_chunks(self):
        raw = bundle()
        rec, header, manifest = read(raw)
        self.assertEqual(PAYLOAD, rec.got)
        self.assertEqual(["postgres/roles.sql", "postgres/dump", "redis/dump.rdb", "files/uploads.tar"], rec.ended)
        self.assertEqual("shop", header["app"])
        self.assertEqual(hashlib.sha256(PAYLOAD["postgres/dump"]).hexdigest(),
                         manifest["parts"]["postgres/dump"]["sha256"])
        self.assertEqual(5, manifest["parts"]["postgres/dump"]["chunks"])

    def test_a_plain_tar_reader_reads_it_header_first_manifest_last(self):
        names = [n for n, _ in members(bundle())]
        self.assertEqual("hoist-backup/header.json", names[0])
        self.assertEqual("hoist-backup/manifest.json", names[-1])
        self.assertIn("postgres/dump.000000", names)
        self.assertIn("postgres/dump.000004", names)
        self.assertIn("redis/dump.rdb.000002", names)
        self.assertIn("files/uploads.tar.000002", names)
        self.assertTrue(all(size <= 1024 for n, size in members(bundle()) if not n.startswith("hoist-backup")))

    def test_chunks_never_exceed_the_size_and_an_empty_stream_is_one_empty_chunk(self):
        self.assertEqual([b"abc", b"def", b"g"], list(data.chunks(io.BytesIO(b"abcdefg"), 3)))
        self.assertEqual([b"abc", b"def"], list(data.chunks(io.BytesIO(b"abcdef"), 3)))
        self.assertEqual([b""], list(data.chunks(io.BytesIO(b""), 3)))
        self.assertEqual(8 << 20, data.CHUNK_MAX)

    def test_only_the_parts_the_header_lists(self):
        header = dict(HEADER, parts=["postgres"])
        rec, _, manifest = read(bundle(header))
        self.assertEqual({"postgres/roles.sql", "postgres/dump"}, set(manifest["parts"]))

    def test_truncated_anywhere_is_refused(self):
        raw = bundle()
        dump_at = raw.index(bytes(range(256)))
        for cut in (0, 100, 700, dump_at + 100, len(raw) // 2, len(raw) - 1100):
            with self.subTest(cut=cut), self.assertRaises(data.Bad) as e:
                read(raw[:cut])
            self.assertRegex(str(e.exception), "truncated|not a hoist bundle")
        with self.assertRaises(data.Bad) as e:
            read(raw[:dump_at + 100])
        self.assertIn("postgres/dump", str(e.exception))

    def test_without_the_end_blocks_it_is_whole(self):
        read(bundle(end=False))

    def test_an_altered_byte_names_the_part(self):
        raw = bytearray(bundle())
        at = bytes(raw).index(b"rrrrrrrr") + 1000
        raw[at] ^= 1
        with self.assertRaises(data.Bad) as e:
            read(bytes(raw))
        self.assertIn("part redis/dump.rdb: sha256 does not match", str(e.exception))

    def test_a_manifest_that_differs_from_the_header_or_lacks_a_part(self):
        with self.assertRaisesRegex(data.Bad, "manifest's app"):
            read(bundle(manifest_change=lambda m: m.update(app="other")))
        with self.assertRaisesRegex(data.Bad, "part files/uploads.tar is not in the manifest"):
            read(bundle(manifest_change=lambda m: m["parts"].pop("files/uploads.tar")))
        with self.assertRaisesRegex(data.Bad, "complete"):
            read(bundle(manifest_change=lambda m: m.pop("complete")))
        with self.assertRaisesRegex(data.Bad, "part postgres/dump: .* bytes"):
            read(bundle(manifest_change=lambda m: m["parts"]["postgres/dump"].update(size=1)))

    def test_a_part_the_header_lists_but_the_bundle_lacks(self):
        payload = {k: v for k, v in PAYLOAD.items() if k != "redis/dump.rdb"}
        with self.assertRaisesRegex(data.Bad, "redis/dump.rdb"):
            read(bundle(payload=payload, manifest_change=lambda m: m["parts"].update(
                {"redis/dump.rdb": {"size": 0, "sha256": "", "chunks": 0}})))

    def tar_with(self, *extra, header=HEADER):
        out = io.BytesIO()
        t = tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT)
        info = tarfile.TarInfo(data.HEADER)
        raw = json.dumps(header).encode()
        info.size = len(raw)
        t.addfile(info, io.BytesIO(raw))
        for info, content in extra:
            t.addfile(info, io.BytesIO(content) if content is not None else None)
        t.close()
        return out.getvalue()

    def test_links_devices_traversal_and_unknown_names_are_refused(self):
        link = tarfile.TarInfo("postgres/dump.000000")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
        hard = tarfile.TarInfo("postgres/dump.000000")
        hard.type, hard.linkname = tarfile.LNKTYPE, "hoist-backup/header.json"
        dev = tarfile.TarInfo("postgres/dump.000000")
        dev.type = tarfile.CHRTYPE
        traversal = tarfile.TarInfo("../../etc/cron.d/x")
        traversal.size = 1
        other = tarfile.TarInfo("postgres/dump.sql")
        other.size = 1
        for info, content, message in [(link, None, "not a regular file"), (hard, None, "not a regular file"),
                                       (dev, None, "not a regular file"), (traversal, b"x", "unexpected member"),
                                       (other, b"x", "unexpected member")]:
            with self.subTest(name=info.name, type=info.type), self.assertRaisesRegex(data.Bad, message):
                read(self.tar_with((info, content)))

    def test_an_oversized_member_is_refused_before_it_is_read(self):
        info = tarfile.TarInfo("postgres/dump.000000")
        info.size = (8 << 20) + 1
        raw = self.tar_with((info, b"x" * info.size))
        with self.assertRaisesRegex(data.Bad, "more than a chunk"):
            read(raw)

    def test_out_of_order_chunks_and_parts(self):
        def member(name, content=b"x"):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            return info, content
        with self.assertRaisesRegex(data.Bad, "out of sequence"):
            read(self.tar_with(member("postgres/roles.sql"), member("postgres/dump.000001")))
        with self.assertRaisesRegex(data.Bad, "out of order"):
            read(self.tar_with(member("redis/dump.rdb.000000"), member("postgres/dump.000000")))
        with self.assertRaisesRegex(data.Bad, "header does not list"):
            read(self.tar_with(member("files/uploads.tar.000000"), header=dict(HEADER, parts=["postgres"])))

    def test_the_header_must_come_first_and_be_right(self):
        with self.assertRaisesRegex(data.Bad, "does not start with"):
            read(bundle()[512 * 2:])
        with self.assertRaisesRegex(data.Bad, "format"):
            read(bundle(dict(HEADER, format=2)))
        with self.assertRaisesRegex(data.Bad, "valid app"):
            read(bundle(dict(HEADER, app="../x")))
        with self.assertRaisesRegex(data.Bad, "unknown parts"):
            read(bundle(dict(HEADER, parts=["postgres", "mysql"])))
        with self.assertRaisesRegex(data.Bad, "not a hoist bundle|bad tar header"):
            read(b"PK\x03\x04" + b"\0" * 2000)

    def test_data_after_the_manifest_is_refused(self):
        raw = bundle(end=False)
        info = tarfile.TarInfo("postgres/dump.000099")
        info.size = 1
        extra = info.tobuf(format=tarfile.USTAR_FORMAT) + b"x" + b"\0" * 511
        with self.assertRaisesRegex(data.Bad, "after the manifest"):
            read(raw + extra)


class WaitGoTest(unittest.TestCase):
    """restore --wait-go: the bundle, its end blocks, then the caller's go on the same stream."""

    def test_the_reader_stops_at_the_manifest_and_go_follows_the_end_blocks(self):
        stream = io.BytesIO(bundle() + data.GO)
        data.Reader(stream).run(Recorder(), to_end=False)
        data.wait_go(stream)

    def test_go_alone_on_a_stream_of_its_own(self):
        data.wait_go(io.BytesIO(data.GO))

    def test_the_end_of_input_without_go_is_no_go(self):
        stream = io.BytesIO(bundle())
        data.Reader(stream).run(Recorder(), to_end=False)
        with self.assertRaisesRegex(data.Interrupted, "before it said go; nothing was changed"):
            data.wait_go(stream)

    def test_anything_else_after_the_manifest_is_refused(self):
        for after in (b"go\ngo\n", b"no\n", b"\0" * (65 * 1024) + data.GO):
            with self.assertRaisesRegex(data.Bad, "after the manifest"):
                data.wait_go(io.BytesIO(after))

    def test_wait_go_is_parsed(self):
        self.assertTrue(data.parse(["restore", "--app", "shop", "--no-app", "--wait-go", "-"]).wait_go)


class ServicesStatusTest(unittest.TestCase):
    def test_each_service_is_read_and_one_that_fails_is_said_not_fatal(self):
        old = (data.present_parts, data.SERVICE_STATUS)
        def down(app):
            raise data.Failed("Redis is not answering on 127.0.0.1:6391")
        data.present_parts = lambda app: ["postgres", "redis"]
        data.SERVICE_STATUS = {"postgres": lambda app: {"version": "15.9", "size": 10}, "redis": down}
        try:
            self.assertEqual({"postgres": {"running": True, "version": "15.9", "size": 10},
                              "redis": {"running": False, "error": "Redis is not answering on 127.0.0.1:6391"}},
                             data.services_status("shop"))
        finally:
            data.present_parts, data.SERVICE_STATUS = old

    def test_status_services_is_parsed(self):
        self.assertTrue(data.parse(["status", "--app", "shop", "--services"]).services)
        self.assertFalse(data.parse(["status", "--app", "shop"]).services)


class PurgeTest(unittest.TestCase):
    """'hoist services purge': refused while served, says what it would delete, deletes with --yes."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        t = self.tmp.name
        self.old = (data.ROOT, data.PGBIN, data.run, data.user_exists, data.supervisor)
        data.ROOT, data.PGBIN = t, t + "/pgbin"
        os.makedirs(t + "/pgbin")
        open(t + "/pgbin/psql", "w").close()
        self.svc = t + "/etc/hoist/services/shop"
        os.makedirs(self.svc)
        self.calls = []
        self.psql_out = ("db|shop|8192000\ndb|shop_drill|100\ndb|shop_old_20261203120000|4096\n"
                         "role|shop\n")

        def run(argv, user=None, input_data=None, timeout=120, env=None, cwd="/"):
            self.calls.append((argv, user, input_data))
            if argv[0].endswith("psql"):
                return 0, self.psql_out if b"SELECT 'db|'" in input_data else "", ""
            if argv[0] == "du":
                return 0, "1234\t%s\n" % argv[-1], ""
            if argv[0] == "redis-check-rdb":
                return 0, "[offset 121] \\o/ RDB looks OK! \\o/\n[info] 42 keys read\n", ""
            return 0, "", ""
        data.run = run
        data.user_exists = lambda name: name == "redis"
        data.supervisor = lambda name: None
        self.redis = t + "/var/lib/hoist/redis/shop"
        os.makedirs(self.redis)
        with open(self.redis + "/dump.rdb", "w") as f:
            f.write("REDIS")
        self.uploads = t + "/srv/shop/shared/uploads"
        os.makedirs(self.uploads + "/sub")
        os.symlink("/etc", self.uploads + "/sub/link")  # never followed: /etc stays
        os.makedirs(t + "/srv/shop/shared/uploads.old-20261203120000")
        for name, text in (("credentials.json", '{"postgres": {"password": "p"}, "redis": {"password": "r"}}'),
                           ("redis.acl", "user shop on #abc\n")):
            with open(os.path.join(self.svc, name), "w") as f:
                f.write(text)

    def tearDown(self):
        data.ROOT, data.PGBIN, data.run, data.user_exists, data.supervisor = self.old
        self.tmp.cleanup()

    def sql(self):
        return b"".join(c[2] or b"" for c in self.calls if c[0][0].endswith("psql")).decode()

    def test_a_service_the_last_deploy_still_serves_is_refused_and_nothing_is_read(self):
        with open(os.path.join(self.svc, "services.json"), "w") as f:
            json.dump({"app": "shop", "postgres": {"port": 5432}}, f)
        with self.assertRaisesRegex(data.Bad, "postgres still served to app shop here .*deploy first"):
            data.purge("shop", ["postgres", "redis"], True)
        self.assertEqual([], self.calls)
        self.assertFalse(os.path.exists(self.tmp.name + "/srv/shop/.hoist/holder"), "no lock taken")

    def test_without_yes_it_says_what_would_go_and_deletes_nothing(self):
        os.makedirs(self.tmp.name + "/etc/hoist/services/shop-drill")  # shop_drill is that app's live db
        out = data.purge("shop", ["postgres", "redis", "files"], False)
        self.assertFalse(out["deleted"])
        self.assertEqual({"databases": [{"name": "shop", "size": 8192000},
                                        {"name": "shop_old_20261203120000", "size": 4096}],
                          "role": "shop"}, out["services"]["postgres"])
        self.assertEqual({"instance": "hoist-redis-shop", "keys": 42,
                          "dirs": [{"dir": self.redis, "size": 1234}],
                          "files": [self.svc + "/redis.acl"]}, out["services"]["redis"])
        # No app user here: sizes of its uploads are not read as root.
        self.assertEqual([self.uploads, self.uploads + ".old-20261203120000"],
                         [d["dir"] for d in out["services"]["files"]["dirs"]])
        self.assertEqual([None, None], [d["size"] for d in out["services"]["files"]["dirs"]])
        self.assertNotIn("DROP", self.sql())
        self.assertTrue(os.path.exists(self.redis + "/dump.rdb") and os.path.isdir(self.uploads))
        # The dump is read and the dir measured as redis, never as root.
        self.assertEqual({"redis"}, {c[1] for c in self.calls if c[0][0] in ("du", "redis-check-rdb")})

    def test_with_yes_everything_goes_under_the_node_lock_and_links_are_not_followed(self):
        out = data.purge("shop", ["postgres", "redis", "files"], True, by="ann@laptop")
        self.assertTrue(out["deleted"])
        self.assertIn('DROP DATABASE IF EXISTS "shop" WITH (FORCE);\n'
                      'DROP DATABASE IF EXISTS "shop_drill" WITH (FORCE);\n'
                      'DROP DATABASE IF EXISTS "shop_old_20261203120000" WITH (FORCE);\n'
                      'DROP ROLE IF EXISTS "shop";\n', self.sql())
        for gone in (self.redis, self.uploads, self.uploads + ".old-20261203120000", self.svc):
            self.assertFalse(os.path.lexists(gone), gone)
        self.assertTrue(os.path.isdir("/etc"))
        self.assertIn("role shop", out["removed"])
        with open(self.tmp.name + "/srv/shop/.hoist/holder") as f:
            self.assertEqual("ann@laptop", json.load(f)["by"])

    def test_a_neighbour_apps_kept_and_scratch_databases_are_never_shop_s(self):
        # App shop-old (database shop_old) keeps shop_old_old_<time> after a restore: shop's
        # pattern shop_old_% matches it, its shape does not; nor does a name that smuggles a line.
        self.psql_out = ("db|shop|8192000\ndb|shop_old_old_20261203120000|4096\ndb|shop_old_drill|1\n"
                         "db|shop_restore_x|1\ndb|shop_old_2026120312000|1\n"
                         "db|shop_old_x\ndb|other_old_20261203101010|1\nrole|other\nrole|shop\n")
        out = data.purge("shop", ["postgres"], False)
        self.assertEqual({"databases": [{"name": "shop", "size": 8192000}], "role": "shop"},
                         out["services"]["postgres"])
        self.assertTrue(data.is_leftover("shop", "shop_old_20261203120000"))
        self.assertTrue(data.is_leftover("shop", "shop_restore_20261203120000", ("restore",)))
        self.assertFalse(data.is_leftover("shop", "shop_old_20261203120000", ("restore", "drill")))
        self.assertFalse(data.is_leftover("shop", "shop_old_old_20261203120000"))
        self.assertFalse(data.is_leftover("shop-old", "shop_old_20261203120000x"))

    def test_a_service_purged_alone_keeps_the_others_passwords(self):
        data.purge("shop", ["postgres"], True)
        with open(os.path.join(self.svc, "credentials.json")) as f:
            self.assertEqual({"redis": {"password": "r"}}, json.load(f))
        self.assertTrue(os.path.isdir(self.redis))

    def test_nothing_left_is_said_and_a_second_purge_finds_nothing(self):
        data.purge("shop", ["postgres", "redis", "files"], True)
        self.psql_out = ""
        out = data.purge("shop", ["postgres", "redis", "files"], True)
        self.assertEqual(({"postgres": {}, "redis": {}, "files": {}}, False), (out["services"], out["deleted"]))
        os.unlink(data.PGBIN + "/psql")  # PostgreSQL not installed: nothing to ask it
        self.calls.clear()
        self.assertEqual({}, data.purge("shop", ["postgres"], False)["services"]["postgres"])
        self.assertEqual([], self.calls)

    def test_a_deploy_holding_the_node_is_named_and_nothing_is_deleted(self):
        import fcntl
        os.makedirs(self.tmp.name + "/srv/shop/.hoist")
        with open(self.tmp.name + "/srv/shop/.hoist/holder", "w") as f:
            json.dump({"by": "bob@ci", "since": "2026-12-03T20:00:00Z", "command": "hoist deploy"}, f)
        fd = os.open(self.tmp.name + "/srv/shop/.hoist/lock", os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with self.assertRaisesRegex(data.Failed, "another hoist run holds this node: bob@ci since "
                                                     "2026-12-03T20:00:00Z \\(hoist deploy\\)"):
                data.purge("shop", ["redis"], True)
        finally:
            os.close(fd)
        self.assertTrue(os.path.isdir(self.redis))

    def test_a_redis_still_supervised_is_refused(self):
        data.supervisor = lambda name: "systemd"
        with self.assertRaisesRegex(data.Bad, "hoist-redis-shop still runs under systemd.*hoist deploy"):
            data.purge("shop", ["redis"], True)
        self.assertTrue(os.path.isdir(self.redis))

    def test_purge_is_parsed(self):
        args = data.parse(["purge", "--app", "shop", "--service", "redis", "--service", "files", "--yes"])
        self.assertEqual((["redis", "files"], True, None), (args.service, args.yes, args.by))
        with self.assertRaises(SystemExit):
            data.parse(["purge", "--app", "shop", "--service", "reddis"])


class StreamingTest(unittest.TestCase):
    def test_a_reader_hands_on_pieces_as_they_come_not_whole_chunks(self):
        pieces = []
        rec = Recorder()
        rec.chunk = lambda key, b: pieces.append((key, len(b)))
        old = data.PIECE
        data.PIECE = 700
        try:
            data.Reader(io.BytesIO(bundle(chunk=2048))).run(rec)
        finally:
            data.PIECE = old
        dump = [n for key, n in pieces if key == "postgres/dump"]
        self.assertEqual(len(PAYLOAD["postgres/dump"]), sum(dump))
        self.assertEqual(700, max(dump))
        self.assertEqual([700, 700, 648], dump[:3], "a 2048-byte chunk in pieces of at most 700")

    def test_an_empty_member_is_one_empty_piece(self):
        rec, _, manifest = read(bundle(payload=dict(PAYLOAD, **{"files/uploads.tar": b""})))
        self.assertEqual(b"", rec.got["files/uploads.tar"])
        self.assertEqual(1, manifest["parts"]["files/uploads.tar"]["chunks"])

    def test_read_ahead_starts_reading_at_once_not_at_the_first_chunk_asked_for(self):
        read = threading.Event()

        class Stream(io.BytesIO):
            def read(self, n=-1):
                read.set()
                return super().read(n)
        pieces = data.read_ahead(Stream(b"pg_dump's first bytes"))
        self.assertTrue(read.wait(5), "pg_dump is read while the checks run")
        self.assertEqual([b"pg_dump's first bytes"], list(pieces))

    def test_read_ahead_gives_the_chunks_and_hands_on_a_failure(self):
        old = data.CHUNK
        data.CHUNK = 10
        try:
            self.assertEqual([b"a" * 10, b"a" * 10, b"a" * 5], list(data.read_ahead(io.BytesIO(b"a" * 25))))
            self.assertEqual([b""], list(data.read_ahead(io.BytesIO(b""))))

            class Broken:
                def read(self, n):
                    raise OSError("pipe broke")
            with self.assertRaisesRegex(OSError, "pipe broke"):
                list(data.read_ahead(Broken()))
        finally:
            data.CHUNK = old

    def test_the_table_of_contents_is_tried_at_doubling_sizes(self):
        tried = []
        d = data.DumpRestore("shop", "shop_restore_1")
        d._toc = lambda: tried.append(len(d.head)) or (b"toc" if len(d.head) >= 3 * data.PIECE else None)
        started = []
        d._start = lambda listing: started.append((listing, len(d.head))) or setattr(d, "sink", io.BytesIO())
        for _ in range(9):
            d.write(b"x" * (data.PIECE // 2))
        self.assertEqual([data.PIECE, 2 * data.PIECE, 4 * data.PIECE], tried)
        self.assertEqual([(b"toc", 4 * data.PIECE)], started)
        self.assertEqual(data.PIECE // 2, len(d.sink.getvalue()), "what came after goes straight on")


class NamesTest(unittest.TestCase):
    def test_names(self):
        self.assertEqual("my_shop", data.app_id("my-shop"))
        self.assertEqual("shop-20261203T060102Z.hoistbak", data.bundle_name("shop", calendar.timegm((2026, 12, 3, 6, 1, 2))))
        self.assertTrue(data.BUNDLE.match("my-shop-20261203T060102Z.hoistbak"))
        self.assertFalse(data.BUNDLE.match("shop-20261203T060102Z.hoistbak.partial"))
        self.assertEqual('"a""b"', data.ident('a"b'))
        self.assertEqual("'it''s'", data.literal("it's"))

    def test_restore_latest_is_parsed(self):
        args = data.parse(["restore", "--app", "shop", "--latest", "--yes"])
        self.assertTrue(args.latest)
        self.assertEqual("-", args.file)
        self.assertFalse(data.parse(["restore", "--app", "shop"]).latest)

    def test_bad_app_names_are_bad_input(self):
        for bad in ("Shop", "../x", "-x", "a" * 40, ""):
            self.assertIsNone(data.APP.match(bad), bad)


class PartsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.old, data.ROOT = data.ROOT, self.tmp.name
        os.makedirs(self.tmp.name + "/etc/hoist/services/shop")

    def tearDown(self):
        data.ROOT = self.old
        self.tmp.cleanup()

    def write(self, name, obj):
        with open(self.tmp.name + "/etc/hoist/services/shop/" + name, "w") as f:
            json.dump(obj, f)

    def test_services_json_says_which_parts_and_uploads_count_only_where_they_are(self):
        self.write("services.json", {"app": "shop", "postgres": {"port": 5432}, "redis": None,
                                     "files": {"dir": "/srv/shop/shared/uploads"}})
        self.assertEqual(["postgres"], data.present_parts("shop"))
        os.makedirs(self.tmp.name + "/srv/shop/shared/uploads")
        self.assertEqual(["postgres", "files"], data.present_parts("shop"))

    def test_another_apps_live_database_is_never_dropped_as_this_apps_scratch(self):
        # App shop's drill database is shop_drill: the live database of app shop-drill.
        os.makedirs(self.tmp.name + "/etc/hoist/services/shop-drill")
        with self.assertRaises(data.Failed) as e:
            data.pg_drop("shop_drill")
        self.assertIn("live database of another app", str(e.exception))

    def test_without_services_json_the_credentials_tell(self):
        self.assertEqual([], data.present_parts("shop"))
        self.write("credentials.json", {"postgres": {"password": "x"}, "redis": {"password": "y"}})
        self.assertEqual(["postgres"], data.present_parts("shop"))
        with open(self.tmp.name + "/etc/hoist/services/shop/redis.conf", "w") as f:
            f.write("port 6390\ndir /var/lib/hoist/redis/shop\n")
        self.assertEqual(["postgres", "redis"], data.present_parts("shop"))
        self.assertEqual("6390", data.redis_conf("shop")["port"])


class UploadsAttributesTest(unittest.TestCase):
    """A restored uploads dir gets the live one's group and setgid mode, or nginx stops serving it."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.old, data.ROOT = data.ROOT, self.tmp.name
        self.live = self.tmp.name + "/srv/root/shared/uploads"

    def tearDown(self):
        data.ROOT = self.old
        self.tmp.cleanup()

    def test_the_live_dirs_group_and_setgid_mode(self):
        os.makedirs(self.live)
        gid = grp.getgrnam("nogroup").gr_gid
        os.chown(self.live, 0, gid)
        os.chmod(self.live, 0o2750)
        self.assertEqual((0, gid, 0o2750), data.uploads_attributes("root"))

    def test_not_a_dir_or_missing_gives_the_deploys_own(self):
        www = grp.getgrnam("www-data").gr_gid
        self.assertEqual((0, www, 0o2750), data.uploads_attributes("root"))
        os.makedirs(os.path.dirname(self.live))
        os.symlink("/etc", self.live)
        self.assertEqual((0, www, 0o2750), data.uploads_attributes("root"))


class PostgresLoginTest(unittest.TestCase):
    """What the app wrote runs in its own role's session; the superuser's ignore its search_path."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.old = data.ROOT, data.run, data.spawn
        data.ROOT = self.tmp.name
        os.makedirs(self.tmp.name + "/etc/hoist/services/my-shop")
        with open(self.tmp.name + "/etc/hoist/services/my-shop/credentials.json", "w") as f:
            json.dump({"postgres": {"password": "s3cret-pw"}}, f)
        self.calls = []
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (
            self.calls.append((argv, env or {}, input_data)) or (0, "", ""))
        data.spawn = lambda argv, user=None, stdin=None, stdout=None, env=None, cwd="/", umask=0o077: (
            self.calls.append((argv, env or {}, None)))

    def tearDown(self):
        data.ROOT, data.run, data.spawn = self.old
        self.tmp.cleanup()

    def test_the_superuser_overrides_any_search_path_the_app_set(self):
        data.psql("SELECT 1;", db="my_shop")
        argv, env, _ = self.calls[0]
        self.assertEqual("-c search_path=pg_catalog,pg_temp", env["PGOPTIONS"])
        self.assertNotIn("-U", argv)

    def test_staging_gets_the_live_extensions_in_public_not_in_the_superusers_pg_catalog(self):
        data.pg_create_staging("my_shop_restore_1", "my_shop", ["pg_trgm", "bad name; DROP"])
        self.assertEqual(1, len(self.calls), "one psql makes the database and its extensions")
        sql = self.calls[0][2].decode()
        # The superuser's, closed to all until PUBLIC lost CONNECT, given to the app role only after
        # the extensions' scripts ran: nobody could prepare objects for them.
        self.assertEqual('CREATE DATABASE "my_shop_restore_1" ALLOW_CONNECTIONS false;\n'
                         'REVOKE CONNECT, TEMPORARY ON DATABASE "my_shop_restore_1" FROM PUBLIC;\n'
                         'ALTER DATABASE "my_shop_restore_1" ALLOW_CONNECTIONS true;\n'
                         '\\connect my_shop_restore_1\n'
                         'SET search_path = public;\nCREATE EXTENSION IF NOT EXISTS "pg_trgm";\n'
                         'ALTER DATABASE "my_shop_restore_1" OWNER TO "my_shop";\n', sql)

    def test_the_staging_database_is_made_on_a_thread_whose_failure_the_restore_sees(self):
        gate = threading.Event()
        real = data.pg_create_staging
        made = []
        data.pg_create_staging = lambda db, owner, exts: gate.wait(5) and made.append(db)
        try:
            st = data.Staging("my-shop", "1")
            st.make_db([])
            self.assertTrue(st.db_made, "a failure from now on drops it")
            self.assertEqual([], made, "the caller goes on while it is made")
            gate.set()
            st.wait_db()
            self.assertEqual(["my_shop_restore_1"], made)

            def fail(db, owner, exts):
                raise data.Failed("PostgreSQL: could not write: No space left on device")
            data.pg_create_staging = fail
            st = data.Staging("my-shop", "2")
            st.make_db([])
            with self.assertRaisesRegex(data.Failed, "No space left"):
                st.wait_db()
            st.drop()
            self.assertIn(b'DROP DATABASE IF EXISTS "my_shop_restore_2"', self.calls[-1][2])
        finally:
            data.pg_create_staging = real

    def test_staging_without_extensions_stays_in_the_maintenance_database(self):
        data.pg_create_staging("my_shop_drill", "my_shop", [])
        self.assertNotIn(b"connect", self.calls[0][2])

    def test_one_psql_tells_the_version_role_databases_and_extensions(self):
        out = ("version|15.9 (Debian 15.9-0+deb12u1)\nrole|true|false|true\ndb|my_shop\n"
               "db|my_shop_restore_20261203000000\next|pg_trgm\next|Odd-Name\n")
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (
            self.calls.append((argv, env or {}, input_data)) or (0, out, ""))
        facts = data.pg_facts("my-shop", data.leftover_patterns("my-shop", old=False))
        self.assertEqual(1, len(self.calls))
        self.assertEqual("15.9 (Debian 15.9-0+deb12u1)", facts["version"])
        self.assertEqual([True, False, True], facts["role"])
        self.assertTrue(facts["live"])
        self.assertEqual(["my_shop", "my_shop_restore_20261203000000"], facts["databases"])
        self.assertEqual(["pg_trgm"], facts["extensions"])
        sql = self.calls[0][2].decode()
        self.assertIn("datname LIKE 'my\\_shop\\_restore\\_%'", sql)
        self.assertIn("\\if :hoist_live\n\\connect my_shop\n", sql)
        self.assertIn(b"CREATE ROLE \"my_shop\" WITH LOGIN NOSUPERUSER NOCREATEDB CREATEROLE;",
                      data.pg_roles_sql("my_shop", facts["role"]))

    def test_no_role_no_database_and_postgres_down(self):
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (0, "version|15.9\n", "")
        facts = data.pg_facts("my-shop")
        self.assertEqual((None, False, []), (facts["role"], facts["live"], facts["extensions"]))
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (
            2, "", "psql: error: connection to server failed")
        with self.assertRaisesRegex(data.Failed, "PostgreSQL is not answering.*connection to server failed"):
            data.pg_facts("my-shop")
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (
            3, "version|15.9\n", "FATAL:  database \"my_shop\" is not currently accepting connections")
        with self.assertRaisesRegex(data.Failed, "^PostgreSQL: FATAL:  database .* not currently accepting"):
            data.pg_facts("my-shop")

    def test_the_swap_is_one_psql_whose_last_statement_cannot_fail_it(self):
        data.swap_database("my_shop", "my_shop_old_1", "my_shop_restore_1")
        self.assertEqual(1, len(self.calls))
        sql = self.calls[0][2].decode()
        renames = sql.index('ALTER DATABASE "my_shop_restore_1" RENAME TO "my_shop"')
        self.assertLess(renames, sql.index("\\set ON_ERROR_STOP off"))
        self.assertTrue(sql.endswith('\\set ON_ERROR_STOP off\nALTER DATABASE "my_shop_old_1" ALLOW_CONNECTIONS true;\n'))

    def test_a_runit_stop_waits_for_runsv_to_say_down(self):
        sup = self.tmp.name + "/etc/service/hoist-redis-my-shop/supervise"
        os.makedirs(sup)
        with open(sup + "/stat", "w") as f:
            f.write("run, want down\n")
        seen = []

        def sv(argv, user=None, input_data=None, timeout=120, env=None, cwd="/"):
            seen.append(argv)
            with open(sup + "/stat", "w") as f:  # runsv's TERM reached it; it is gone a moment later
                f.write("down\n")
            return 0, "", ""
        data.run = sv
        data.service("hoist-redis-my-shop", "stop")
        self.assertEqual([["sv", "down", self.tmp.name + "/etc/service/hoist-redis-my-shop"]], seen)
        with open(sup + "/stat", "w") as f:
            f.write("run, want down\n")
        data.run = lambda argv, user=None, input_data=None, timeout=120, env=None, cwd="/": (0, "", "")
        with self.assertRaisesRegex(data.Failed, "hoist-redis-my-shop did not stop within 0.1s"):
            data.runit_stop("hoist-redis-my-shop", timeout=0.1)

    def test_a_dump_is_restored_logged_in_as_the_app_role_never_under_role(self):
        data.pg_restore("my-shop", "my_shop_restore_20261203000000")
        argv, env, _ = self.calls[0]
        self.assertFalse([a for a in argv if a.startswith("--role")], argv)
        self.assertEqual(["-U", "my_shop"], argv[argv.index("-U"):argv.index("-U") + 2])
        self.assertEqual("s3cret-pw", env["PGPASSWORD"])
        self.assertNotIn("s3cret-pw", " ".join(argv))

    def test_a_drill_check_query_runs_as_the_app_role(self):
        data.run_check("my-shop", "my_shop_drill", {"sql": "SELECT count(*) FROM items"})
        argv, env, sql = self.calls[0]
        self.assertIn("-U", argv)
        self.assertEqual("s3cret-pw", env["PGPASSWORD"])
        self.assertNotIn(b"SET ROLE", sql)

    def test_a_drill_check_command_gets_the_url_with_its_password_in_the_environment_not_argv(self):
        data.run_check("my-shop", "my_shop_drill", "python manage.py check --database default")
        argv, env, _ = self.calls[0]
        self.assertNotIn("s3cret-pw", " ".join(argv))
        self.assertIn("s3cret-pw", env["HOIST_DRILL_DATABASE_URL"])
        self.assertTrue(env["HOIST_DRILL_DATABASE_URL"].endswith("/my_shop_drill"))
        self.assertEqual(["python", "manage.py", "check", "--database", "default"], argv[-5:])


class OffNodeCopyTest(unittest.TestCase):
    TO = {"host": "backup.example.com", "port": 2222, "user": "hoist", "path": "/srv/backups/shop",
          "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG"}

    def test_sftp_is_strict_about_the_host_key(self):
        argv = data.sftp_command(self.TO, "/etc/hoist/backup/id_ed25519", "/k")
        self.assertEqual(["sftp", "-b", "-", "-i", "/etc/hoist/backup/id_ed25519", "-P", "2222"], argv[:7])
        self.assertIn("StrictHostKeyChecking=yes", argv)
        self.assertIn("UserKnownHostsFile=/k", argv)
        self.assertEqual("hoist@backup.example.com", argv[-1])
        self.assertEqual("[backup.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG\n",
                         data.known_hosts_line(self.TO))

    def test_the_copy_lands_under_a_partial_name_then_is_renamed(self):
        batch = data.sftp_batch("/var/backups/hoist/shop/b.hoistbak", "/srv/backups/shop", "b.hoistbak").decode()
        put = re.match(r"put /var/backups/hoist/shop/b.hoistbak (/srv/backups/shop/b.hoistbak.[0-9]+.partial)\n", batch)
        self.assertTrue(put, batch)
        self.assertTrue(batch.endswith("rename %s /srv/backups/shop/b.hoistbak\n" % put.group(1)))
        # A cut transfer's partial file is 0400 and cannot be opened again: each attempt names a new one.
        self.assertNotEqual(batch, data.sftp_batch("/var/backups/hoist/shop/b.hoistbak", "/srv/backups/shop",
                                                   "b.hoistbak").decode())
        # The target's key may not remove or make directories (internal-sftp -p): the batch needs neither.
        self.assertEqual(2, len(batch.splitlines()))

    def test_bundles_an_earlier_run_could_not_copy_are_copied_later_oldest_first(self):
        tmp = tempfile.TemporaryDirectory()
        old, data.ROOT = data.ROOT, tmp.name
        real = data.copy_off
        try:
            d = tmp.name + "/var/backups/hoist/shop"
            os.makedirs(d)
            os.makedirs(tmp.name + "/var/lib/hoist/data/shop")
            names = ["shop-2026120%dT030000Z.hoistbak" % i for i in (1, 2, 3, 4)]
            for n in names + ["shop-20261205T030000Z.hoistbak.partial", "other-20261201T030000Z.hoistbak"]:
                open(os.path.join(d, n), "w").close()
            data.update_state("shop", lambda s: s.update(backups={
                names[0]: {"copied": None}, names[1]: {"copied": "10.0.0.2"}, names[2]: {}, names[3]: {}}))
            copied = []
            data.copy_off = lambda app, local, to: copied.append(os.path.basename(local))

            self.assertEqual([names[0], names[2]], data.copy_missed("shop", names[3], self.TO))

            self.assertEqual([names[0], names[2]], copied)
            backups = data.read_state("shop")["backups"]
            self.assertEqual(["backup.example.com", "10.0.0.2", "backup.example.com", None],
                             [backups[n].get("copied") for n in names])
            copied.clear()
            self.assertEqual([], data.copy_missed("shop", names[3], self.TO))
            self.assertEqual([], copied)

            # One that fails while the newest's copy worked (its copy landed, unrecorded): kept
            # with its error, not tried again, and the others still go.
            data.update_state("shop", lambda s: [s["backups"][n].update(copied=None) for n in names[:3]])

            def copy(app, local, to):
                if local.endswith(names[0]):
                    raise data.Failed("rename: Failure")
                copied.append(os.path.basename(local))
            data.copy_off = copy
            self.assertEqual([names[1], names[2]], data.copy_missed("shop", names[3], self.TO))
            self.assertEqual("rename: Failure", data.read_state("shop")["backups"][names[0]]["copy_error"])
            copied.clear()
            self.assertEqual([], data.copy_missed("shop", names[3], self.TO))
            self.assertEqual([], copied)
        finally:
            data.copy_off = real
            data.ROOT = old
            tmp.cleanup()

    def test_the_node_makes_its_key_once_and_prints_the_public_half(self):
        tmp = tempfile.TemporaryDirectory()
        old, data.ROOT = data.ROOT, tmp.name
        try:
            out = io.StringIO()
            real, data.sys.stdout = data.sys.stdout, out
            try:
                first = data.backup_key()["public_key"]
                again = data.backup_key()["public_key"]
            finally:
                data.sys.stdout = real
            self.assertRegex(first, r"^ssh-ed25519 [A-Za-z0-9+/]+=*$")
            self.assertEqual(first, again)
            self.assertEqual(first + "\n" + first + "\n", out.getvalue())
            key = tmp.name + "/etc/hoist/backup/id_ed25519"
            self.assertEqual(0o600, os.stat(key).st_mode & 0o777)
            self.assertEqual(0o700, os.stat(os.path.dirname(key)).st_mode & 0o777)
        finally:
            data.ROOT = old
            tmp.cleanup()

    def test_odd_targets_are_refused(self):
        for change in ({"host": "-oProxyCommand=x"}, {"path": "/a b"}, {"user": None}, {"path": "x\nrm y"}):
            with self.subTest(change=change), self.assertRaises(data.Bad):
                data.sftp_command(dict(self.TO, **change), "/k", "/k")
        with self.assertRaises(data.Bad):
            data.known_hosts_line(dict(self.TO, host_key="nonsense"))


if __name__ == "__main__":
    unittest.main()
