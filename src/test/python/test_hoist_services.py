"""Unit tests of the services runner's pure parts (run by dev.hoist.node.AgentPythonTest).

The runner against a real PostgreSQL and Redis is ServicesIT's part.
"""
import base64
import hashlib
import hmac
import importlib.util
import os
import shlex
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "main", "resources", "dev", "hoist", "services",
                      "hoist-services.py")


def load_runner():
    spec = importlib.util.spec_from_file_location("hoist_services", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


R = load_runner()
CONFIG = {"app": "my-shop", "app_id": "my_shop", "user": "my-shop",
          "env_file": "/srv/my-shop/etc/services",
          "postgres": {"host": "127.0.0.1", "port": 5432, "extensions": [], "clients": []},
          "redis": {"host": "127.0.0.1", "port": 6500},
          "files": {"dir": "/srv/my-shop/shared/uploads", "url": "/uploads"}}


class ScramTest(unittest.TestCase):
    def test_verifier_follows_rfc_5802(self):
        salt = b"0123456789abcdef"
        v = R.scram_verifier("pencil", salt)
        head, keys = v.split("$", 1)[1].split("$")
        self.assertEqual(head, "4096:" + base64.b64encode(salt).decode())
        salted = hashlib.pbkdf2_hmac("sha256", b"pencil", salt, 4096)
        client = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        self.assertEqual(keys.split(":")[0], base64.b64encode(hashlib.sha256(client).digest()).decode())

    def test_a_verifier_matches_its_password_only(self):
        v = R.scram_verifier("secret", os.urandom(16))
        self.assertTrue(R.verifier_matches(v, "secret"))
        self.assertFalse(R.verifier_matches(v, "Secret"))
        self.assertFalse(R.verifier_matches("md5abc", "secret"))
        self.assertFalse(R.verifier_matches(None, "secret"))


class FilesTest(unittest.TestCase):
    def test_credentials_are_generated_once_and_kept(self):
        creds = R.wanted_credentials(CONFIG, {})
        self.assertEqual(set(creds), {"postgres", "redis"})
        self.assertEqual(R.wanted_credentials(CONFIG, creds), creds)
        self.assertNotEqual(creds["redis"]["password"], creds["redis"]["admin_password"])

    def test_env_file_parses_back_with_every_url(self):
        creds = R.wanted_credentials(CONFIG, {})
        env = dict(kv.split("=", 1) for kv in shlex.split(R.env_text(CONFIG, creds).decode(),
                                                          comments=True))
        self.assertEqual(env["DATABASE_URL"], "postgres://my_shop:%s@127.0.0.1:5432/my_shop"
                         % creds["postgres"]["password"])
        self.assertEqual(env["REDIS_URL"], "redis://my_shop:%s@127.0.0.1:6500/0"
                         % creds["redis"]["password"])
        self.assertEqual(env["UPLOADS_DIR"], "/srv/my-shop/shared/uploads")
        self.assertEqual(env["UPLOADS_URL"], "/uploads")

    def test_a_db_node_puts_its_address_in_the_urls(self):
        config = dict(CONFIG, postgres=dict(CONFIG["postgres"], host="10.0.0.5"),
                      redis=dict(CONFIG["redis"], host="[fd00::5]"))
        creds = R.wanted_credentials(config, {})
        env = dict(kv.split("=", 1) for kv in shlex.split(R.env_text(config, creds).decode(),
                                                          comments=True))
        self.assertTrue(env["DATABASE_URL"].endswith("@10.0.0.5:5432/my_shop"))
        self.assertTrue(env["REDIS_URL"].endswith("@[fd00::5]:6500/0"))

    @unittest.skipUnless(os.geteuid() == 0, "the runner reads only root-owned configs")
    def test_pg_hba_leaves_out_an_app_that_dropped_postgres(self):
        import json
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            old = R.SERVICES_DIR
            R.SERVICES_DIR = d
            try:
                for app, pg in (("my-shop", False), ("blog", True)):
                    os.mkdir(os.path.join(d, app))
                    config = dict(CONFIG, app=app, app_id=app.replace("-", "_"), user=app)
                    if not pg:
                        del config["postgres"]
                    with open(os.path.join(d, app, "services.json"), "w") as f:
                        json.dump(config, f)
                hba = R.hba_text().decode()
            finally:
                R.SERVICES_DIR = old
        self.assertIn("local   all   blog   scram-sha-256", hba)
        self.assertNotIn("my_shop", hba)

    def test_pg_hba_clients_are_single_hosts(self):
        for good in ("10.0.0.7/32", "::1/128", "fd00::7/128"):
            self.assertTrue(R.client_ok(good), good)
        for bad in ("0.0.0.0/0", "10.0.0.0/24", "10.0.0.7", "all", "10.0.0.7/32 trust",
                    "10.0.0.7/32\nhost all all 0.0.0.0/0 trust", "::/0"):
            self.assertFalse(R.client_ok(bad), bad)

    def test_acl_file_holds_hashes_turns_default_off_and_bars_dangerous_commands(self):
        creds = R.wanted_credentials(CONFIG, {})
        acl = R.acl_text(CONFIG, creds).decode()
        self.assertNotIn(creds["redis"]["password"], acl)
        self.assertIn("user default off\n", acl)
        self.assertIn("user my_shop on #%s ~* &* +@all -@admin -@dangerous\n"
                      % hashlib.sha256(creds["redis"]["password"].encode()).hexdigest(), acl)

    def test_the_superusers_psql_overrides_any_search_path_the_app_set(self):
        seen = []

        class Done:
            returncode, stdout, stderr = 0, b"", b""
        old = R.subprocess.run
        R.subprocess.run = lambda argv, **kw: seen.append(kw["env"]) or Done()
        try:
            R.sql("my_shop", "SELECT extname FROM pg_extension")
        finally:
            R.subprocess.run = old
        self.assertEqual("-c search_path=pg_catalog,pg_temp", seen[0]["PGOPTIONS"])

    def provision(self, answers, extension):
        creds = R.wanted_credentials(CONFIG, {})
        answers = dict(answers, **{"SELECT rolpassword": [R.scram_verifier(creds["postgres"]["password"], b"salt")],
                                   "SELECT has_database_privilege": ["f"], "SELECT extname": []})
        made = []
        old = R.sql, R.postgres_ready, R.say
        R.sql = lambda db, statement: next((v for k, v in answers.items() if statement.startswith(k)),
                                           None) if statement.startswith("SELECT") else made.append(statement)
        R.postgres_ready, R.say = (lambda wait: True), (lambda text: None)
        try:
            config = dict(CONFIG, postgres=dict(CONFIG["postgres"], extensions=[extension]))
            R.provision_postgres(config, creds, False)
        finally:
            R.sql, R.postgres_ready, R.say = old
        return made

    def test_extensions_go_into_public_not_the_superusers_pg_catalog(self):
        made = self.provision({"SELECT pg_get_userbyid": ["my_shop"], "SELECT trusted": ["t"]}, "pg_trgm")
        self.assertEqual(['SET search_path = public;\nCREATE EXTENSION IF NOT EXISTS "pg_trgm";'], made)

    def test_an_untrusted_extension_is_not_run_by_the_superuser_in_the_apps_own_database(self):
        with self.assertRaises(R.Failed) as e:
            self.provision({"SELECT pg_get_userbyid": ["my_shop"], "SELECT trusted": ["f"]}, "postgis")
        self.assertIn("postgis is not a trusted extension", str(e.exception))
        self.assertIn("CREATE EXTENSION postgis", str(e.exception))

    def test_a_new_database_gets_its_extensions_before_the_app_owns_it(self):
        made = self.provision({"SELECT pg_get_userbyid": []}, "postgis")
        self.assertEqual(['CREATE DATABASE "my_shop" ENCODING \'UTF8\' TEMPLATE template0 ALLOW_CONNECTIONS false',
                          'REVOKE CONNECT, TEMPORARY ON DATABASE "my_shop" FROM PUBLIC',
                          'ALTER DATABASE "my_shop" ALLOW_CONNECTIONS true',
                          'SET search_path = public;\nCREATE EXTENSION IF NOT EXISTS "postgis";',
                          'ALTER DATABASE "my_shop" OWNER TO "my_shop"'], made)

    def test_passwords_need_no_escaping_in_urls(self):
        for _ in range(50):
            self.assertRegex(R.new_password(), r"\A[A-Za-z0-9_-]{40,}\Z")


if __name__ == "__main__":
    unittest.main()
