output "service_group_names" {
  value = { for s in var.services : s => aws_cloudwatch_log_group.this["services/${s}"].name }
}

output "service_group_arns" {
  value = { for s in var.services : s => aws_cloudwatch_log_group.this["services/${s}"].arn }
}

output "msk_group_name" {
  value = aws_cloudwatch_log_group.this["msk"].name
}

output "flow_log_group_arn" {
  value = aws_cloudwatch_log_group.this["vpc-flow"].arn
}
