# CloudWatch log groups: one per service (the tasks' awslogs driver), MSK broker logs and
# VPC flow logs. A year of retention, encrypted with the platform key.

locals {
  groups = toset(concat([for s in var.services : "services/${s}"], ["msk", "vpc-flow"]))
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.groups
  name              = "/${var.name}/${each.key}"
  retention_in_days = var.retention_days
  kms_key_id        = var.kms_key_arn
}
