"""The Spark half of the job (parquet_job.py, partition_writes.py) needs pyspark to import, so check
it statically: it must take from the shipped pure modules only names that exist there, and import
nothing but the Glue runtime, the standard library it uses and the modules deploy ships (glue/*.py)."""

import ast
import importlib
import os
import sys
import unittest

GLUE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, GLUE_DIR)

SHIPPED = {name[:-3] for name in os.listdir(GLUE_DIR) if name.endswith(".py")}
SPARK_MODULES = ("parquet_job", "partition_writes")
PROVIDED_BY_GLUE = {"awsglue", "pyspark", "boto3", "gzip", "json", "sys", "time", "datetime"}
# The pure modules: importable here, without pyspark, awsglue or boto3.
PURE_MODULES = sorted(SHIPPED - set(SPARK_MODULES))


def tree_of(module):
    with open(os.path.join(GLUE_DIR, f"{module}.py"), encoding="utf-8") as source:
        return ast.parse(source.read())


class JobScriptTest(unittest.TestCase):
    def test_imports_only_existing_names_of_shipped_modules(self):
        for spark_module in SPARK_MODULES:
            for node in ast.walk(tree_of(spark_module)):
                if isinstance(node, ast.ImportFrom) and node.module in SHIPPED:
                    module = importlib.import_module(node.module) if node.module in PURE_MODULES else None
                    tree = tree_of(node.module)
                    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
                    for alias in node.names:
                        with self.subTest(module=spark_module, name=f"{node.module}.{alias.name}"):
                            self.assertTrue(alias.name in defined if module is None else hasattr(module, alias.name))

    def test_the_job_uses_every_pure_half(self):
        imported = {node.module for m in SPARK_MODULES for node in ast.walk(tree_of(m))
                    if isinstance(node, ast.ImportFrom)}
        self.assertTrue({"parquet_contract", "quarantine", "generations", "lake_catalog", "lake_metrics",
                         "partition_writes"} <= imported, imported)

    def test_imports_only_glue_runtime_and_shipped_modules(self):
        for module in SHIPPED:
            tree = tree_of(module)
            modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                       for alias in node.names}
            modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                        if isinstance(node, ast.ImportFrom) and node.module}
            allowed = PROVIDED_BY_GLUE | SHIPPED | ({"copy", "dataclasses", "math", "re"} if module in PURE_MODULES else set())
            with self.subTest(module=module):
                self.assertEqual(modules - allowed, set())

    def test_the_pure_modules_import_no_spark_and_no_boto3(self):
        for module in PURE_MODULES:
            importlib.import_module(module)
        self.assertNotIn("pyspark", sys.modules)
        self.assertNotIn("awsglue", sys.modules)
        for module in PURE_MODULES:
            tree = tree_of(module)
            names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
            names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            with self.subTest(module=module):
                self.assertFalse(names & {"pyspark", "awsglue", "boto3"})


if __name__ == "__main__":
    unittest.main()
