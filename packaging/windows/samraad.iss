; Inno Setup 6 script for Samråd: a per-user install of the PyInstaller
; one-folder build (dist\samraad, made by build.spec). No administrator
; rights are needed, so an advisor on a locked-down municipal PC can install
; and update it.
;
; Build from the repository root:
;   iscc /DAppVersion=0.1.0 packaging\windows\samraad.iss
; (CI passes the version from app\__init__.py.)
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
; see app\paths.py), so an uninstall or update never touches the vault.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Samraad
DisableDirPage=yes
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=samraad-{#AppVersion}-setup
; SetupIconFile=samraad.ico  (generated from resources\icons\samraad.svg by the packaging issue)
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
; Only the build output. The uninstaller removes exactly what is listed
; here (plus the shortcuts), nothing else.
Source: "..\..\dist\samraad\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Samråd"; Filename: "{app}\{#AppExe}"

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,Samråd}"; Flags: nowait postinstall skipifsilent

; Deliberately no [UninstallDelete] or [Code] that removes the data folder
; (%LOCALAPPDATA%\Samraad: the encrypted vault, its key file, backups and
; logs). It holds records the municipality must keep or hand over under its
; retention rules, and uninstalling is also how people repair or reinstall
; a broken program. Deleting a vault is a decision for the advisor and the
; office, not a side effect of removing the program.
