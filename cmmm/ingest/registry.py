"""The ingester registry: one explicit dict from format key to implementation (no self-registration)."""

from __future__ import annotations

from enum import StrEnum

from cmmm.ingest import (
    aws_acm,
    azure_keyvault,
    bundle,
    cbom,
    certbot,
    clm,
    cmmm_inventory,
    cmmm_scan,
    ctlog,
    gcp_certmanager,
    keystores,
    kubernetes,
    nmap,
    smime,
    sslyze,
    tabular,
    testssl,
    vault_pki,
    windows,
    x509files,
    xlsx,
    zgrab2,
)
from cmmm.ingest._base import Ingester


class Format(StrEnum):
    BUNDLE_FILE = "bundle-file"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    YAML = "yaml"
    PEM = "pem"
    DER = "der"
    PKCS7 = "pkcs7"
    PKCS12 = "pkcs12"
    JKS = "jks"
    NSS = "nss"
    SMIME = "smime"
    CMMM_INVENTORY = "cmmm-inventory"
    CMMM_SCAN = "cmmm-scan"
    NMAP = "nmap"
    SSLYZE = "sslyze"
    TESTSSL = "testssl"
    CYCLONEDX_CBOM = "cyclonedx-cbom"
    ZGRAB2 = "zgrab2"
    KUBERNETES = "kubernetes"
    AWS_ACM = "aws-acm"
    AZURE_KEYVAULT = "azure-keyvault"
    GCP_CERTMANAGER = "gcp-certmanager"
    VAULT_PKI = "vault-pki"
    CERTBOT = "certbot"
    CLM = "clm"
    CT_LOG = "ct-log"
    CERTUTIL_STORE = "certutil-store"


INGESTERS: dict[Format, Ingester] = {
    Format.BUNDLE_FILE: Ingester(
        name="bundle-file",
        description="services.csv, profile.yaml and policy.yaml of an inventory bundle",
        sniff=bundle.sniff_bundle_file,
        read=bundle.read_bundle_file,
    ),
    Format.CSV: Ingester(
        name="csv",
        description="native inventory or CLM export as CSV (delimiter sniffed, header aliases)",
        sniff=tabular.sniff_csv,
        read=tabular.read_csv,
    ),
    Format.XLSX: Ingester(
        name="xlsx",
        description="Excel workbooks (.xlsx/.xlsm): every sheet, header row found below title rows",
        sniff=xlsx.sniff,
        read=xlsx.read,
    ),
    Format.JSON: Ingester(
        name="json",
        description='native inventory as JSON: a list of objects or {"certificates": [...]}',
        sniff=tabular.sniff_json,
        read=tabular.read_json,
    ),
    Format.YAML: Ingester(
        name="yaml",
        description="native inventory as YAML: a list of mappings or {certificates: [...]}",
        sniff=tabular.sniff_yaml,
        read=tabular.read_yaml,
    ),
    Format.PEM: Ingester(
        name="pem",
        description="PEM bundles of certificates (garbage between blocks tolerated), PEM PKCS#7",
        sniff=x509files.sniff_pem,
        read=x509files.read_pem,
        read_data=x509files.read_pem_data,
    ),
    Format.DER: Ingester(
        name="der",
        description="a DER-encoded certificate (.der/.cer/.crt) or DER PKCS#7",
        sniff=x509files.sniff_der,
        read=x509files.read_der,
    ),
    Format.PKCS7: Ingester(
        name="pkcs7",
        description="PKCS#7 certificate bundles (.p7b/.p7c), DER or PEM",
        sniff=x509files.sniff_pkcs7,
        read=x509files.read_pkcs7,
    ),
    Format.PKCS12: Ingester(
        name="pkcs12",
        description="PKCS#12 (.pfx/.p12); passwords from --password-file or CMMM_PKCS12_PASSWORDS",
        sniff=x509files.sniff_pkcs12,
        read=x509files.read_pkcs12,
    ),
    Format.JKS: Ingester(
        name="jks",
        description="Java keystores JKS and JCEKS (cacerts, server keystores); passwords like PKCS#12's",
        sniff=keystores.sniff_jks,
        read=keystores.read_jks,
    ),
    Format.NSS: Ingester(
        name="nss",
        description="NSS sql: databases (cert9.db certificates, key4.db keys as findings)",
        sniff=keystores.sniff_nss,
        read=keystores.read_nss,
    ),
    Format.SMIME: Ingester(
        name="smime",
        description="S/MIME messages (.eml): the certificates of the signature part",
        sniff=smime.sniff,
        read=smime.read,
    ),
    Format.CMMM_INVENTORY: Ingester(
        name="cmmm-inventory",
        description="cmmm's own inventory files (cmmm ingest -o FILE.json|.parquet|.csv), read back losslessly",
        sniff=cmmm_inventory.sniff,
        read=cmmm_inventory.read,
    ),
    Format.CMMM_SCAN: Ingester(
        name="cmmm-scan",
        description='a `cmmm scan -o FILE.json` result ({"cmmm_scan": 1, ...}): chains seen on the network',
        sniff=cmmm_scan.sniff_scan,
        read=cmmm_scan.read_scan_file,
    ),
    Format.NMAP: Ingester(
        name="nmap",
        description="nmap -oX XML with the ssl-cert and ssl-enum-ciphers scripts (TLS endpoints)",
        sniff=nmap.sniff,
        read=nmap.read,
    ),
    Format.SSLYZE: Ingester(
        name="sslyze",
        description="sslyze --json_out (versions 5 and 6): certificate chains, TLS versions, groups",
        sniff=sslyze.sniff,
        read=sslyze.read,
    ),
    Format.TESTSSL: Ingester(
        name="testssl",
        description="testssl.sh --jsonfile (flat), --jsonfile-pretty and --csvfile",
        sniff=testssl.sniff,
        read=testssl.read,
    ),
    Format.CYCLONEDX_CBOM: Ingester(
        name="cyclonedx-cbom",
        description="CycloneDX 1.6/1.7 cryptographic bill of materials (JSON or XML): certificates, algorithms",
        sniff=cbom.sniff,
        read=cbom.read,
    ),
    Format.ZGRAB2: Ingester(
        name="zgrab2",
        description="zgrab2 JSON lines: certificates and TLS version/group of every logged handshake",
        sniff=zgrab2.sniff,
        read=zgrab2.read,
    ),
    Format.KUBERNETES: Ingester(
        name="kubernetes",
        description="cert-manager Certificate/Issuer/ClusterIssuer and kubernetes.io/tls Secret objects "
        "(YAML multi-document or kubectl -o json/yaml List)",
        sniff=kubernetes.sniff,
        read=kubernetes.read,
    ),
    Format.AWS_ACM: Ingester(
        name="aws-acm",
        description="AWS ACM describe-certificate, list-certificates, get-certificate (+ list-tags) JSON",
        sniff=aws_acm.sniff,
        read=aws_acm.read,
    ),
    Format.AZURE_KEYVAULT: Ingester(
        name="azure-keyvault",
        description="Azure Key Vault certificates: REST GetCertificate(s) and az keyvault certificate show/list",
        sniff=azure_keyvault.sniff,
        read=azure_keyvault.read,
    ),
    Format.GCP_CERTMANAGER: Ingester(
        name="gcp-certmanager",
        description="Google Cloud Certificate Manager certificates (gcloud --format=json or REST)",
        sniff=gcp_certmanager.sniff,
        read=gcp_certmanager.read,
    ),
    Format.VAULT_PKI: Ingester(
        name="vault-pki",
        description="HashiCorp Vault PKI cert/issuer reads and listings (HTTP API or vault -format=json)",
        sniff=vault_pki.sniff,
        read=vault_pki.read,
    ),
    Format.CERTBOT: Ingester(
        name="certbot",
        description="certbot certificates output and renewal .conf files (ACME lineages)",
        sniff=certbot.sniff,
        read=certbot.read,
    ),
    Format.CLM: Ingester(
        name="clm",
        description="CLM JSON exports: Venafi TPP/Cloud, Netflix Lemur, Keyfactor Command",
        sniff=clm.sniff,
        read=clm.read,
    ),
    Format.CT_LOG: Ingester(
        name="ct-log",
        description="Certificate Transparency records from crt.sh (output=json)",
        sniff=ctlog.sniff,
        read=ctlog.read,
    ),
    Format.CERTUTIL_STORE: Ingester(
        name="certutil-store",
        description="Windows certutil -store dumps (English or German labels): one certificate per block",
        sniff=windows.sniff_certutil,
        read=windows.read_certutil,
    ),
}
