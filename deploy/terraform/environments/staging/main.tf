# Staging: the whole platform in one region. Apply sequence and first deploy: README.md.

locals {
  name     = "coldchain-staging"
  services = ["gateway", "ingest", "tracking", "orders", "dispatch"]
  # Lag targets are records per task; max replicas stay at or below the topic's partitions
  # (libs/contracts topic registry: docs/reference/topics.md).
  service_sizes = {
    gateway  = { port = 8000, cpu = 1024, memory = 2048, min = 2, max = 8, lag = null }
    ingest   = { port = 8001, cpu = 1024, memory = 2048, min = 2, max = 6, lag = { group = "ingest", topic = "telemetry.gps.raw.v1", per_task = 5000 } }
    tracking = { port = 8002, cpu = 1024, memory = 2048, min = 2, max = 6, lag = { group = "tracking", topic = "telemetry.gps.v1", per_task = 5000 } }
    orders   = { port = 8003, cpu = 512, memory = 1024, min = 2, max = 6, lag = { group = "orders", topic = "orders.commands.v1", per_task = 500 } }
    # One planner: each replica would hold only its consumer group's share of the open
    # orders (dispatch.orders) and plan half a day (docs/deploy.md, "Scaling").
    dispatch = { port = 8004, cpu = 2048, memory = 4096, min = 1, max = 1, lag = null }
  }
}

resource "aws_ecr_repository" "this" {
  # devtools: the one-shot topics job (README, step 6).
  for_each             = toset(concat(local.services, ["devtools"]))
  name                 = "${local.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = module.secrets.kms_key_arn
  }
}

module "logs" {
  source      = "../../modules/logs"
  name        = local.name
  services    = local.services
  kms_key_arn = module.secrets.kms_key_arn
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  cidr_block         = var.vpc_cidr_block
  flow_log_group_arn = module.logs.flow_log_group_arn
}

module "secrets" {
  source            = "../../modules/secrets"
  name              = local.name
  database_endpoint = module.rds.endpoint
  redis_endpoint    = module.elasticache.primary_endpoint
}

module "msk" {
  source                   = "../../modules/msk"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  kms_key_arn              = module.secrets.kms_key_arn
  scram_secret_arn         = module.secrets.kafka_scram_secret_arn
  log_group_name           = module.logs.msk_group_name
}

module "rds" {
  source                   = "../../modules/rds"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  kms_key_arn              = module.secrets.kms_key_arn
  password                 = module.secrets.postgres_password
}

module "elasticache" {
  source                   = "../../modules/elasticache"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  kms_key_arn              = module.secrets.kms_key_arn
  auth_token               = module.secrets.redis_auth_token
}

module "iam" {
  source          = "../../modules/iam"
  name            = local.name
  services        = local.services
  repository_arns = [for r in aws_ecr_repository.this : r.arn]
  log_group_arns  = values(module.logs.service_group_arns)
  secret_arns     = module.secrets.secret_resource_arns
  kms_key_arn     = module.secrets.kms_key_arn
  msk_cluster_arn = module.msk.arn
}

module "alb" {
  source                  = "../../modules/alb"
  name                    = local.name
  vpc_id                  = module.network.vpc_id
  public_subnet_ids       = module.network.public_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  certificate_arn         = var.api_certificate_arn
  access_log_bucket       = var.access_log_bucket
  kms_key_arn             = module.secrets.kms_key_arn
}

module "nlb" {
  source                  = "../../modules/nlb"
  name                    = local.name
  vpc_id                  = module.network.vpc_id
  public_subnet_ids       = module.network.public_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  certificate_arn         = var.devices_certificate_arn
  access_log_bucket       = var.access_log_bucket
}

module "ecs" {
  source                  = "../../modules/ecs"
  name                    = local.name
  services                = local.service_sizes
  image_repository_urls   = { for s, r in aws_ecr_repository.this : s => r.repository_url }
  image_tag               = var.image_tag
  vpc_cidr_block          = module.network.vpc_cidr_block
  private_subnet_ids      = module.network.private_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  execution_role_arn      = module.iam.execution_role_arn
  task_role_arns          = module.iam.task_role_arns
  secret_arns             = module.secrets.secret_arns
  log_group_names         = module.logs.service_group_names
  kafka_bootstrap_servers = module.msk.bootstrap_brokers_sasl_scram
  msk_cluster_name        = module.msk.cluster_name
  load_balancers = {
    gateway = [{ target_group_arn = module.alb.gateway_target_group_arn, container_port = 8000 }]
    ingest = [
      { target_group_arn = module.nlb.target_group_arns["teltonika"], container_port = 5027 },
      { target_group_arn = module.nlb.target_group_arns["osmand"], container_port = 5055 },
    ]
  }
}
