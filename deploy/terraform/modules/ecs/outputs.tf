output "cluster_name" {
  value = aws_ecs_cluster.this.name
}

output "task_definition_arns" {
  value = { for s, td in aws_ecs_task_definition.this : s => td.arn }
}
