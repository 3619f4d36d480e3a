; Inno Setup 6 script for Samråd: a per-user install of the PyInstaller
; one-folder build (dist\samraad, made by build.spec). No administrator
; rights are needed, so an advisor on a locked-down municipal PC can install
; and update it.
;
; Build from the repository root, after `pyinstaller --noconfirm build.spec`
; (which also renders packaging\windows\samraad.ico):
;   iscc /DAppVersion=0.1.0 packaging\windows\samraad.iss
; (pass the version from app\__init__.py.)
;
; Keep this file UTF-8 *with* BOM: without it Inno Setup reads it as ANSI
; and "Samråd" is garbled.

#ifndef AppVersion
  #define AppVersion "0.0.0-dev"
#endif
#define AppExe "samraad.exe"

[Setup]
; Never change AppId: it is how an update finds the installed copy.
AppId={{FB48DE50-CC50-4630-B662-F18561FF02AB}
AppName=Samråd
AppVersion={#AppVersion}
AppPublisher=Samråd
; Per-user install. The installer never asks for elevation, and the
; program folder is separate from the data folder (%LOCALAPPDATA%\Samraad,
; see app\paths.py): an update never touches the vault, an uninstall only
; when the advisor asks for it (see [Code]).
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Samraad
DisableDirPage=yes
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=samraad-{#AppVersion}-setup
; Rendered from resources\icons\samraad.svg by packaging\make_icons.py.
SetupIconFile=samraad.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=Samråd
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Samråd holds a lock on the open vault: ask it to close before files are replaced.
CloseApplications=yes

[Languages]
Name: "da"; MessagesFile: "compiler:Languages\Danish.isl"
Name: "nb"; MessagesFile: "compiler:Languages\Norwegian.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Files]
; Only the build output (samraad.exe, samraad-cli.exe for scripts, _internal).
; The uninstaller removes exactly what is listed here and the shortcut; the
; data folder only when the advisor says so (see [Code]).
Source: "..\..\dist\samraad\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Samråd"; Filename: "{app}\{#AppExe}"

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,Samråd}"; Flags: nowait postinstall skipifsilent

; The data folder, %LOCALAPPDATA%\Samraad (app\paths.py: the encrypted vault,
; its key file, automatic backups, preferences and the log), is kept unless
; the advisor answers Yes to one question whose default is No. It holds
; records the municipality must keep or hand over under its retention rules,
; and uninstalling is also how people repair or reinstall a broken program.
; A silent uninstall (IT's software deployment) never deletes it.
; Not handled here: a key remembered in Windows Credential Manager stays
; (useless without the vault); `samraad-cli remember --forget` removes it
; before uninstalling.

[CustomMessages]
en.DeleteDataQuestion=Also delete your Samråd data on this computer?%n%nThat is the encrypted vault with all meetings, cases and minutes, its automatic backups and the log:%n%1%n%nChoose No to keep it: your municipality may have to keep these records, and Samråd opens them again when it is installed again. Backup files you saved elsewhere are not touched.
da.DeleteDataQuestion=Vil du også slette dine Samråd-data på denne computer?%n%nDet er den krypterede datasamling med alle møder, sager og referater, dens automatiske sikkerhedskopier og loggen:%n%1%n%nVælg Nej for at beholde dem: kommunen kan have pligt til at opbevare oplysningerne, og Samråd åbner dem igen, når programmet installeres igen. Sikkerhedskopier, du har gemt andre steder, røres ikke.
nb.DeleteDataQuestion=Vil du også slette Samråd-dataene dine på denne datamaskinen?%n%nDet er den krypterte datasamlingen med alle møter, saker og referater, de automatiske sikkerhetskopiene og loggen:%n%1%n%nVelg Nei for å beholde dem: kommunen kan ha plikt til å oppbevare opplysningene, og Samråd åpner dem igjen når programmet installeres på nytt. Sikkerhetskopier du har lagret andre steder, blir ikke rørt.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir, DemoDir: String;
begin
  if (CurUninstallStep <> usPostUninstall) or UninstallSilent() then
    Exit;
  DataDir := ExpandConstant('{localappdata}\Samraad');
  DemoDir := ExpandConstant('{localappdata}\Samraad-demo');
  if not DirExists(DataDir) and not DirExists(DemoDir) then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('DeleteDataQuestion'), [DataDir]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    DelTree(DataDir, True, True, True);
    DelTree(DemoDir, True, True, True);
  end;
end;
