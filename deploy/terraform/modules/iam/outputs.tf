output "execution_role_arn" {
  value = aws_iam_role.execution.arn
}

output "task_role_arns" {
  value = { for s, role in aws_iam_role.task : s => role.arn }
}
