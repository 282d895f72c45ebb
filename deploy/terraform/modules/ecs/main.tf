# ECS on Fargate: one service per Coldchain service in the private subnets, found by each
# other through Service Connect (http://tracking:8002 ...), secrets injected from Secrets
# Manager, logs to CloudWatch, read-only root file system, the image's unprivileged user.
# Autoscaling: every service on CPU; consumers also on their group's consumer lag (MSK's
# SumOffsetLag), because a backlog on Kafka, not CPU, is what a slow consumer shows first.

data "aws_region" "current" {}

locals {
  # TLS everywhere, verified (docs/deploy.md, "TLS to managed infrastructure"): MSK with
  # SASL/SCRAM over TLS (its certificates chain to Amazon's public roots, in the image's
  # system store), RDS with verify-full against the RDS CA bundle the image carries,
  # ElastiCache by its rediss:// URL (public roots too).
  common_env = {
    KAFKA_BOOTSTRAP_SERVERS = var.kafka_bootstrap_servers
    KAFKA_SECURITY_PROTOCOL = "SASL_SSL"
    KAFKA_SASL_MECHANISM    = "SCRAM-SHA-512"
    KAFKA_SASL_USERNAME     = "coldchain"
    DATABASE_SSLMODE        = "verify-full"
    DATABASE_SSLROOTCERT    = "/etc/ssl/certs/rds-global-bundle.pem"
  }
  # Per service: the non-secret settings (docs/reference/configuration.md) it needs here.
  environment = {
    gateway = {
      GATEWAY_HTTP_HOST        = "0.0.0.0"
      GATEWAY_MIGRATE_ON_START = "false"
      GATEWAY_LOG_JSON         = "true"
      GATEWAY_TRACKING_URL     = "http://tracking:8002"
      GATEWAY_INGEST_URL       = "http://ingest:8001"
      GATEWAY_ORDERS_URL       = "http://orders:8003"
      GATEWAY_DISPATCH_URL     = "http://dispatch:8004"
      GATEWAY_HSTS             = "true"
      GATEWAY_PUBLIC_METRICS   = "false"
      GATEWAY_TRUSTED_PROXIES  = jsonencode([var.vpc_cidr_block])
    }
    ingest = {
      INGEST_HTTP_HOST        = "0.0.0.0"
      INGEST_MIGRATE_ON_START = "false"
      INGEST_LOG_JSON         = "true"
      INGEST_OSMAND_HOST      = "0.0.0.0"
      INGEST_TELTONIKA_HOST   = "0.0.0.0"
    }
    tracking = {
      TRACKING_HTTP_HOST        = "0.0.0.0"
      TRACKING_MIGRATE_ON_START = "false"
      TRACKING_LOG_JSON         = "true"
    }
    orders = {
      ORDERS_HTTP_HOST        = "0.0.0.0"
      ORDERS_MIGRATE_ON_START = "false"
      ORDERS_LOG_JSON         = "true"
    }
    dispatch = {
      DISPATCH_HTTP_HOST        = "0.0.0.0"
      DISPATCH_MIGRATE_ON_START = "false"
      DISPATCH_LOG_JSON         = "true"
    }
  }
  common_secrets = ["DATABASE_URL", "REDIS_URL", "COLDCHAIN_INTERNAL_TOKEN", "KAFKA_SASL_PASSWORD"]
  secrets = {
    gateway  = concat(local.common_secrets, ["GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_PASSWORD", "GATEWAY_METRICS_TOKEN"])
    ingest   = local.common_secrets
    tracking = local.common_secrets
    orders   = local.common_secrets
    dispatch = local.common_secrets
  }
  extra_ports = {
    gateway  = []
    ingest   = [5027, 5055]
    tracking = []
    orders   = []
    dispatch = []
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

resource "aws_service_discovery_http_namespace" "this" {
  name        = var.name
  description = "Service Connect names of the Coldchain services"
}

resource "aws_ecs_task_definition" "this" {
  for_each                 = var.services
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arns[each.key]
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }
  volume {
    name = "tmp" # the only writable path: the root file system is read-only
  }
  container_definitions = jsonencode([{
    name                   = each.key
    image                  = "${var.image_repository_urls[each.key]}:${var.image_tag}"
    essential              = true
    command                = ["serve"]
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    portMappings = concat(
      [{ name = "http", containerPort = each.value.port, protocol = "tcp" }],
      [for p in local.extra_ports[each.key] : { name = "device-${p}", containerPort = p, protocol = "tcp" }],
    )
    environment = [for k, v in merge(local.common_env, local.environment[each.key]) : { name = k, value = v }]
    secrets     = [for k in local.secrets[each.key] : { name = k, valueFrom = var.secret_arns[k] }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_names[each.key]
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = each.key
      }
    }
    healthCheck = {
      command     = ["CMD", "python", "-c", "import sys,urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:${each.value.port}/readyz', timeout=3).status != 200)"]
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
  }])
}

resource "aws_ecs_service" "this" {
  for_each                           = var.services
  name                               = each.key
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  launch_type                        = "FARGATE"
  desired_count                      = each.value.min
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.this.arn
    service {
      port_name      = "http"
      discovery_name = each.key
      client_alias {
        port     = each.value.port
        dns_name = each.key
      }
    }
  }

  dynamic "load_balancer" {
    for_each = { for tg in lookup(var.load_balancers, each.key, []) : tg.target_group_arn => tg }
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = each.key
      container_port   = load_balancer.value.container_port
    }
  }

  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it after the first apply
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each           = var.services
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = var.services
  name               = "${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Lag per replica: MSK's SumOffsetLag of the service's main group and topic divided by the
# running task count, held near `lag_per_task`. More replicas than partitions would idle,
# so `max` stays at or below the topic's partition count (docs/deploy.md, "Scaling").
resource "aws_appautoscaling_policy" "lag" {
  for_each           = { for k, s in var.services : k => s if s.lag != null }
  name               = "${each.key}-consumer-lag"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = each.value.lag.per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    customized_metric_specification {
      metrics {
        id          = "lag"
        return_data = false
        metric_stat {
          stat = "Maximum"
          metric {
            namespace   = "AWS/Kafka"
            metric_name = "SumOffsetLag"
            dimensions {
              name  = "Cluster Name"
              value = var.msk_cluster_name
            }
            dimensions {
              name  = "Consumer Group"
              value = each.value.lag.group
            }
            dimensions {
              name  = "Topic"
              value = each.value.lag.topic
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = each.key
            }
          }
        }
      }
      metrics {
        id          = "lag_per_task"
        expression  = "lag / IF(tasks > 0, tasks, 1)"
        label       = "consumer lag per task"
        return_data = true
      }
    }
  }
}
