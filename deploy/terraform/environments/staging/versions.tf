terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
  # Partial configuration: `terraform init -backend-config=backend.hcl` (README).
  backend "s3" {
    key     = "coldchain/staging/terraform.tfstate"
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = "coldchain"
      Environment = "staging"
      ManagedBy   = "terraform"
    }
  }
}
