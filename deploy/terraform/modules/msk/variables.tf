variable "name" {
  type        = string
  description = "Cluster name"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the brokers"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets, one broker in each"
}

variable "client_security_group_id" {
  type        = string
  description = "Security group of the ECS tasks (the only clients)"
}

variable "kms_key_arn" {
  type        = string
  description = "Key encrypting broker storage"
}

variable "scram_secret_arn" {
  type        = string
  description = "AmazonMSK_* secret holding the services' SCRAM user"
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group for broker logs"
}

variable "kafka_version" {
  type        = string
  description = "Apache Kafka version (KRaft-based MSK)"
  default     = "3.9.x"
}

variable "instance_type" {
  type        = string
  description = "Broker instance type"
  default     = "kafka.m7g.large"
}

variable "volume_size_gb" {
  type        = number
  description = "EBS storage per broker"
  default     = 500
}
