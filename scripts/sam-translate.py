"""Transforms a SAM template into the plain CloudFormation that AWS deploys, with aws-sam-translator
(the library `sam build`, `sam deploy` and the AWS::Serverless transform use), and prints it as JSON.

    python3 scripts/sam-translate.py [template.yaml]

What `sam package` would do first is done here too: a function's local CodeUri becomes an s3:// URI.
No AWS call is made: the template names no managed policy, so the IAM lookup of managed policy names is
replaced by an empty map. test/integration/sam-translate.test.ts asserts on the output.
"""

import json
import os
import sys

from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicyNames(ManagedPolicyLoader):
    """Managed policies named by name (not ARN) would be looked up in IAM; there are none to look up."""

    def __init__(self) -> None:
        super().__init__(iam_client=None)

    def load(self) -> dict[str, str]:
        return {}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        template = yaml_parse(file.read())
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        code_uri = properties.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code_uri, str):
            if not code_uri.startswith("s3://"):
                properties["CodeUri"] = f"s3://sam-artifacts/{logical_id}.zip"
    # The translator reads the region from the environment (ARNs, partitions).
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    json.dump(transform(template, {}, NoManagedPolicyNames()), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "template.yaml"))
