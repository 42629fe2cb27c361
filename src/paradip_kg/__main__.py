from paradip_kg.cli import main

main()
