/// The release this build is, shown by `voxworks --version`. The one place
/// it is written: bump it in the commit that prepares a release
/// (CONTRIBUTING.md, "Releases").
public enum VoxworksVersion {
    public static let current = "0.9.0"
}
