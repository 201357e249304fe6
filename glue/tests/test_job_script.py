"""glue/parquet_job.py needs pyspark to import, so check it statically: it must take from
parquet_contract only names that exist there, and import no other local module deploy won't ship."""

import ast
import os
import sys
import unittest

GLUE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, GLUE_DIR)

import parquet_contract  # noqa: E402
import quarantine  # noqa: E402

SHIPPED = {name[:-3] for name in os.listdir(GLUE_DIR) if name.endswith(".py")}
PROVIDED_BY_GLUE = {"awsglue", "pyspark", "boto3", "gzip", "json", "sys"}


class JobScriptTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(GLUE_DIR, "parquet_job.py"), encoding="utf-8") as source:
            self.tree = ast.parse(source.read())

    def test_imports_only_existing_contract_names(self):
        for module in (parquet_contract, quarantine):
            imported = [alias.name for node in ast.walk(self.tree)
                        if isinstance(node, ast.ImportFrom) and node.module == module.__name__
                        for alias in node.names]
            self.assertTrue(imported, module.__name__)
            for name in imported:
                self.assertTrue(hasattr(module, name), name)

    def test_imports_only_glue_runtime_and_shipped_modules(self):
        modules = {alias.name.split(".")[0] for node in ast.walk(self.tree) if isinstance(node, ast.Import)
                   for alias in node.names}
        modules |= {node.module.split(".")[0] for node in ast.walk(self.tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        self.assertEqual(modules - PROVIDED_BY_GLUE - SHIPPED, set())

    def test_the_contract_module_imports_no_spark(self):
        self.assertNotIn("pyspark", sys.modules)
        self.assertNotIn("awsglue", sys.modules)


if __name__ == "__main__":
    unittest.main()
