output "endpoint" {
  description = "host:port"
  value       = aws_db_instance.this.endpoint
}

output "arn" {
  value = aws_db_instance.this.arn
}
