variable "name" {
  type        = string
  description = "Prefix of the role names"
}

variable "services" {
  type        = list(string)
  description = "Services that get a task role"
}

variable "repository_arns" {
  type        = list(string)
  description = "ECR repositories the tasks pull from"
}

variable "log_group_arns" {
  type        = list(string)
  description = "The services' log groups"
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets the task definitions inject"
}

variable "kms_key_arn" {
  type        = string
  description = "Key of those secrets"
}

variable "msk_cluster_arn" {
  type        = string
  description = "The Kafka cluster the task roles may use"
}
