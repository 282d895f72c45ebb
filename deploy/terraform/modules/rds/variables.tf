variable "name" {
  type        = string
  description = "Instance identifier"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the instance"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (two zones at least, for Multi-AZ)"
}

variable "client_security_group_id" {
  type        = string
  description = "Security group of the ECS tasks"
}

variable "kms_key_arn" {
  type        = string
  description = "Key encrypting storage, snapshots and Performance Insights"
}

variable "password" {
  type        = string
  description = "Password of the coldchain user (module secrets)"
  sensitive   = true
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL version (the local and test stacks run 15)"
  default     = "15.10"
}

variable "instance_class" {
  type        = string
  description = "Instance class"
  default     = "db.m7g.large"
}

variable "storage_gb" {
  type        = number
  description = "Initial storage; autoscaling up to four times this"
  default     = 200
}

variable "backup_retention_days" {
  type        = number
  description = "Days automated backups (point-in-time recovery) are kept"
  default     = 14
}
