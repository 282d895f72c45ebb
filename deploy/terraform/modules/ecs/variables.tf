variable "name" {
  type        = string
  description = "Cluster name and prefix of the task families"
}

variable "services" {
  description = "Per service: HTTP port, task size, replica bounds, and the consumer group and topic whose lag scales it (null: CPU only)"
  type = map(object({
    port   = number
    cpu    = number
    memory = number
    min    = number
    max    = number
    lag    = optional(object({ group = string, topic = string, per_task = number }))
  }))
}

variable "image_repository_urls" {
  type        = map(string)
  description = "ECR repository URL per service"
}

variable "image_tag" {
  type        = string
  description = "Image tag deployed (a git commit)"
}

variable "vpc_cidr_block" {
  type        = string
  description = "VPC range: the ALB's addresses, trusted for X-Forwarded-For"
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the tasks"
}

variable "tasks_security_group_id" {
  type        = string
  description = "Security group of the tasks (module network)"
}

variable "execution_role_arn" {
  type        = string
  description = "ECS execution role (module iam)"
}

variable "task_role_arns" {
  type        = map(string)
  description = "Task role per service (module iam)"
}

variable "secret_arns" {
  type        = map(string)
  description = "Environment variable => Secrets Manager ARN (module secrets)"
}

variable "log_group_names" {
  type        = map(string)
  description = "Log group per service (module logs)"
}

variable "kafka_bootstrap_servers" {
  type        = string
  description = "MSK bootstrap brokers"
}

variable "msk_cluster_name" {
  type        = string
  description = "MSK cluster name (dimension of the lag metric)"
}

variable "load_balancers" {
  description = "Per service: target groups and the container port each forwards to"
  type        = map(list(object({ target_group_arn = string, container_port = number })))
  default     = {}
}
