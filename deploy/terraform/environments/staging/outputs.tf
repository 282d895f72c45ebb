output "api_dns_name" {
  description = "Point the API host name (CNAME/alias) here"
  value       = module.alb.dns_name
}

output "devices_dns_name" {
  description = "Point the device host name here (Teltonika TCP 5027, OsmAnd HTTPS 443)"
  value       = module.nlb.dns_name
}

output "ecr_repository_urls" {
  value = { for s, r in aws_ecr_repository.this : s => r.repository_url }
}

output "ecs_cluster_name" {
  value = module.ecs.cluster_name
}

output "task_definition_arns" {
  value = module.ecs.task_definition_arns
}
