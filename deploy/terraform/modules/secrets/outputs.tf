output "kms_key_arn" {
  value = aws_kms_key.this.arn
}

output "postgres_password" {
  value     = random_password.postgres.result
  sensitive = true
}

output "redis_auth_token" {
  value     = random_password.redis.result
  sensitive = true
}

output "kafka_scram_secret_arn" {
  value = aws_secretsmanager_secret.kafka_scram.arn
}

output "secret_arns" {
  description = "Environment variable => secret ARN, for the ECS task definitions"
  value = {
    GATEWAY_JWT_SECRET       = aws_secretsmanager_secret.this["gateway-jwt-secret"].arn
    GATEWAY_ADMIN_PASSWORD   = aws_secretsmanager_secret.this["gateway-admin-password"].arn
    GATEWAY_METRICS_TOKEN    = aws_secretsmanager_secret.this["gateway-metrics-token"].arn
    COLDCHAIN_INTERNAL_TOKEN = aws_secretsmanager_secret.this["internal-token"].arn
    # ECS reads one JSON key of a secret with "<arn>:<key>::": the SCRAM user's password.
    KAFKA_SASL_PASSWORD = "${aws_secretsmanager_secret.kafka_scram.arn}:password::"
    DATABASE_URL        = aws_secretsmanager_secret.urls["database-url"].arn
    REDIS_URL           = aws_secretsmanager_secret.urls["redis-url"].arn
  }
}

output "secret_resource_arns" {
  description = "The secrets behind secret_arns, as IAM resources (no JSON key suffix): what the tasks may read"
  value = [
    aws_secretsmanager_secret.this["gateway-jwt-secret"].arn,
    aws_secretsmanager_secret.this["gateway-admin-password"].arn,
    aws_secretsmanager_secret.this["gateway-metrics-token"].arn,
    aws_secretsmanager_secret.this["internal-token"].arn,
    aws_secretsmanager_secret.kafka_scram.arn,
    aws_secretsmanager_secret.urls["database-url"].arn,
    aws_secretsmanager_secret.urls["redis-url"].arn,
  ]
}
