"""CloudFormation and the services the life-cycle test reads, against moto's server (AWS_ENDPOINT_URL).

Commands (each prints one JSON line):
  deploy STACK TEMPLATE_FILE   create the stack, wait; {"status", "reason", "resources": {logical: physical}}
  delete STACK                 delete the stack, wait; {"status"}
  objects BUCKET               the bucket's keys, or {"missing": true}
  items TABLE                  the table's item keys, or {"missing": true}
"""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError


def client(service):
    return boto3.client(service, region_name="eu-west-1")


def wait(cfn, stack, until):
    for _ in range(600):
        try:
            found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        except ClientError:
            return {"status": "GONE"}
        if not found["StackStatus"].endswith("IN_PROGRESS"):
            return {"status": found["StackStatus"], "reason": found.get("StackStatusReason", "")}
        time.sleep(0.2)
    return {"status": "TIMEOUT"}


def main(command, *args):
    cfn = client("cloudformation")
    if command == "deploy":
        stack, path = args
        with open(path) as f:
            body = f.read()
        cfn.create_stack(StackName=stack, TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
        out = wait(cfn, stack, "CREATE")
        if out["status"] == "CREATE_COMPLETE":
            listed = cfn.describe_stack_resources(StackName=stack)["StackResources"]
            out["resources"] = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed}
        return out
    if command == "delete":
        (stack,) = args
        stack_id = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
        cfn.delete_stack(StackName=stack)
        out = wait(cfn, stack_id, "DELETE")
        return out
    if command == "objects":
        try:
            listed = client("s3").list_objects_v2(Bucket=args[0])
        except ClientError:
            return {"missing": True}
        return {"keys": sorted(o["Key"] for o in listed.get("Contents", []))}
    if command == "items":
        try:
            scanned = client("dynamodb").scan(TableName=args[0])
        except ClientError:
            return {"missing": True}
        return {"keys": sorted(i["check"]["S"] for i in scanned["Items"])}
    raise SystemExit(f"unknown command {command}")


print(json.dumps(main(*sys.argv[1:])))
