# Amazon MSK: one broker per private subnet (zone), TLS between clients and brokers and
# inside the cluster, SASL/SCRAM and IAM client authentication, no unauthenticated access,
# data encrypted with the platform key, broker logs in CloudWatch, consumer-lag metrics
# per topic (what ECS scales on).

resource "aws_security_group" "this" {
  name        = "${var.name}-msk"
  description = "MSK brokers: SASL over TLS from the services only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each                     = toset(["9096", "9098"]) # SASL/SCRAM over TLS, IAM over TLS
  security_group_id            = aws_security_group.this.id
  description                  = "Kafka clients (port ${each.key})"
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
}

resource "aws_msk_configuration" "this" {
  name           = "${var.name}-coldchain"
  kafka_versions = [var.kafka_version]
  # Topics come from the contracts registry (the topics job); acks=all needs two in-sync replicas.
  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    unclean.leader.election.enable=false
  PROPERTIES
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = length(var.subnet_ids)
  enhanced_monitoring    = "PER_TOPIC_PER_PARTITION"

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.this.id]
    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size_gb
      }
    }
    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  client_authentication {
    unauthenticated = false
    sasl {
      scram = true
      iam   = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = var.log_group_name
      }
    }
  }
}

resource "aws_msk_scram_secret_association" "this" {
  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [var.scram_secret_arn]
}
