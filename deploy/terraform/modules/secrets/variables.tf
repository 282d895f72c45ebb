variable "name" {
  type        = string
  description = "Prefix of every secret name"
}

variable "database_endpoint" {
  type        = string
  description = "host:port of RDS (module rds); null until it exists"
  default     = null
}

variable "redis_endpoint" {
  type        = string
  description = "Primary endpoint of ElastiCache (module elasticache); null until it exists"
  default     = null
}
