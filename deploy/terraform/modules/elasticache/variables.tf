variable "name" {
  type        = string
  description = "Replication group id"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the nodes"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets"
}

variable "client_security_group_id" {
  type        = string
  description = "Security group of the ECS tasks"
}

variable "kms_key_arn" {
  type        = string
  description = "Key encrypting data at rest"
}

variable "auth_token" {
  type        = string
  description = "Redis AUTH token (module secrets)"
  sensitive   = true
}

variable "engine_version" {
  type        = string
  description = "Redis version (local stacks run 7)"
  default     = "7.1"
}

variable "node_type" {
  type        = string
  description = "Node type"
  default     = "cache.m7g.large"
}
