package awskmstest

import "strings"

// keyMetadata is DescribeKey's KeyMetadata on the wire.
type keyMetadata struct {
	AWSAccountID                string             `json:"AWSAccountId"`
	Arn                         string             `json:"Arn"`
	CreationDate                *epoch             `json:"CreationDate,omitempty"`
	CurrentKeyMaterialID        string             `json:"CurrentKeyMaterialId,omitempty"`
	CustomKeyStoreID            string             `json:"CustomKeyStoreId,omitempty"`
	CustomerMasterKeySpec       string             `json:"CustomerMasterKeySpec,omitempty"`
	DeletionDate                *epoch             `json:"DeletionDate,omitempty"`
	Description                 string             `json:"Description"`
	Enabled                     bool               `json:"Enabled"`
	EncryptionAlgorithms        []string           `json:"EncryptionAlgorithms,omitempty"`
	ExpirationModel             string             `json:"ExpirationModel,omitempty"`
	KeyAgreementAlgorithms      []string           `json:"KeyAgreementAlgorithms,omitempty"`
	KeyID                       string             `json:"KeyId"`
	KeyManager                  string             `json:"KeyManager,omitempty"`
	KeySpec                     string             `json:"KeySpec,omitempty"`
	KeyState                    string             `json:"KeyState,omitempty"`
	KeyUsage                    string             `json:"KeyUsage,omitempty"`
	MacAlgorithms               []string           `json:"MacAlgorithms,omitempty"`
	MultiRegion                 bool               `json:"MultiRegion"`
	MultiRegionConfiguration    *multiRegionConfig `json:"MultiRegionConfiguration,omitempty"`
	Origin                      string             `json:"Origin,omitempty"`
	PendingDeletionWindowInDays *int32             `json:"PendingDeletionWindowInDays,omitempty"`
	SigningAlgorithms           []string           `json:"SigningAlgorithms,omitempty"`
	ValidTo                     *epoch             `json:"ValidTo,omitempty"`
}

type multiRegionConfig struct {
	MultiRegionKeyType string           `json:"MultiRegionKeyType"`
	PrimaryKey         multiRegionKey   `json:"PrimaryKey"`
	ReplicaKeys        []multiRegionKey `json:"ReplicaKeys"`
}

type multiRegionKey struct {
	Arn    string `json:"Arn"`
	Region string `json:"Region"`
}

func (s *Server) metadata(k *Key) keyMetadata {
	m := keyMetadata{
		AWSAccountID:          s.cfg.account,
		Arn:                   s.keyARN(k.ID),
		CreationDate:          epochOf(k.Created),
		CurrentKeyMaterialID:  k.currentMaterial(),
		CustomKeyStoreID:      k.CustomKeyStoreID,
		CustomerMasterKeySpec: k.Spec,
		DeletionDate:          epochOf(k.DeletionDate),
		Description:           k.Description,
		Enabled:               k.State == "Enabled",
		ExpirationModel:       k.ExpirationModel,
		KeyID:                 k.ID,
		KeyManager:            k.Manager,
		KeySpec:               k.Spec,
		KeyState:              k.State,
		KeyUsage:              k.Usage,
		MultiRegion:           k.MultiRegion,
		Origin:                k.Origin,
		ValidTo:               epochOf(k.ValidTo),
	}
	if k.PendingDeletionDays > 0 {
		m.PendingDeletionWindowInDays = &k.PendingDeletionDays
	}
	if k.MultiRegion {
		m.MultiRegionConfiguration = &multiRegionConfig{
			MultiRegionKeyType: "PRIMARY",
			PrimaryKey:         multiRegionKey{Arn: m.Arn, Region: s.cfg.region},
			ReplicaKeys:        []multiRegionKey{},
		}
	}
	setAlgorithms(&m, k.Spec, k.Usage)
	return m
}

// setAlgorithms fills the algorithms a key of that spec and usage supports.
func setAlgorithms(m *keyMetadata, spec, usage string) {
	switch {
	case spec == "SYMMETRIC_DEFAULT":
		m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
	case strings.HasPrefix(spec, "HMAC_"):
		m.MacAlgorithms = []string{"HMAC_SHA_" + strings.TrimPrefix(spec, "HMAC_")}
	case usage == "KEY_AGREEMENT":
		m.KeyAgreementAlgorithms = []string{"ECDH"}
	case strings.HasPrefix(spec, "RSA_") && usage == "ENCRYPT_DECRYPT":
		m.EncryptionAlgorithms = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	case strings.HasPrefix(spec, "RSA_"):
		m.SigningAlgorithms = []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"}
	case spec == "ECC_NIST_P384":
		m.SigningAlgorithms = []string{"ECDSA_SHA_384"}
	case strings.HasPrefix(spec, "ECC_"):
		m.SigningAlgorithms = []string{"ECDSA_SHA_256"}
	}
}
